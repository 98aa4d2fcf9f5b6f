"""Customer-service console: find a customer, act as them safely, keep an audit trail."""
