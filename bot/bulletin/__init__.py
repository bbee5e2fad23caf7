"""Periodic bulletins (定期通报): figures, schedule, chart and sending."""
