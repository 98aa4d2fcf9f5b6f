"""Loyalty: the loyalty-card service client, customers' card links, and registration with a card."""
