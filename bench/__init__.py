"""Measurements of the portal: ``make bench`` (throughput beside a bare Flask
reference, and pages beside the same page built the stock way and in Django)
and ``make load`` (correctness and memory under sustained load).
See docs/performance.md."""
