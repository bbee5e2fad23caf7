"""Foundations every feature stands on: the clock, the campaign registry, a bounded cache."""
