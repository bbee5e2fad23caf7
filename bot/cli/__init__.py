"""The `pingyi` command line: run, demo, validate and the office's commands."""
