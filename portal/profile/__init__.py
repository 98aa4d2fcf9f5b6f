"""The customer's own profile."""
