"""The language switch in the page footer."""
