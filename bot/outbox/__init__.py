"""The one outbox: every message the bot sends that is not the reply to an update."""
