"""The python-telegram-bot 22 adapter: PTB objects to and from bot/telegram/common's."""
