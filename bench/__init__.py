"""Benchmarks of the ledger at region scale: load a generated year of books through our posting path, then time
posting and the reports. ``python -m bench --help``; figures and how to read them in ``docs/bench.md``."""
