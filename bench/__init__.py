"""Measurements of the portal: ``make bench`` (throughput against a bare Flask
reference) and ``make load`` (correctness and memory under sustained load)."""
