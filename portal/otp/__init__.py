"""One-time SMS codes: one policy for every flow that confirms a change by SMS.

``services`` issues and checks codes, ``gateways`` sends the messages,
``views`` holds the reusable code-entry step and the development outbox.
"""
