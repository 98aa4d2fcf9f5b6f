"""The customer's rights over their data (KVKK): erasure and export. docs/privacy.md."""
