"""The Telegram side: `common/` written once, `aiogram/` and `ptb/` the two adapters
(bot/telegram/frontends.py chooses one)."""
