"""Benchmarks: run as scripts, print their figures (not timed tests)."""
