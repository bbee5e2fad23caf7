"""Admin engine: phases, broadcasts, reminders, fairness (no Telegram here)."""
