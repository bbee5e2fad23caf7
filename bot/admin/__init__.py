"""Admin engine: phases, the broadcaster, reminders, fairness (no Telegram here)."""
