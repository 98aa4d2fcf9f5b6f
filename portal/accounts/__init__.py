"""Accounts: users, passwords, login and logout on both faces."""
