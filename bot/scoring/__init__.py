"""Scoring: satisfaction from the five-level answers (the full scorer builds on this)."""
