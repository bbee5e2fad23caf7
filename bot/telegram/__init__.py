"""The Telegram adapter (aiogram 3): parse the update, call the engine, render, send."""
