"""Customer segments and the price lists they bring (issue 6).

A segment is offered to the users its rule matches while it is active and
inside its dates; a user picks one of the segments offered to them, and that
segment's price list (or the shop's default) is the one their prices come from.
"""
