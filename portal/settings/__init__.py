"""Dynamic settings: values operators change at run time, stored in the database as JSON."""
