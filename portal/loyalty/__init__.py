"""Loyalty: the loyalty-card service client, customers' card links and the loyalty pages."""
