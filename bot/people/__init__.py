"""People talking to the bot: registration on first contact, language, activity."""
