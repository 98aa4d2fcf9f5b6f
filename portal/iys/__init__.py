"""İYS (İleti Yönetim Sistemi) sync: push consent records, pull refusals, export (docs/iys.md)."""
