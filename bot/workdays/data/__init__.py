"""Per-year holiday schedules (``cn-YYYY.yaml``), shipped as package data."""
