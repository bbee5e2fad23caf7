"""Simulated people: each types what a person would type and presses only buttons the bot
actually shows them, through the local Bot API server."""

from __future__ import annotations

from collections.abc import Callable

from bot.localapi import ChatMessage, LocalBotAPI, SimUser

WAIT = 60.0  # seconds a simulated person waits for the bot before giving up


class Actor:
    """A person in a private chat with the bot."""

    def __init__(self, api: LocalBotAPI, user_id: int, name: str, language: str) -> None:
        """The simulated user `user_id` (created on first use)."""
        self.api = api
        self.user: SimUser = api.user(user_id, first_name=name, language_code=language)

    @property
    def id(self) -> int:
        """Their Telegram id."""
        return self.user.id

    async def say(self, text: str) -> ChatMessage:
        """Type `text`; the bot's newest message after it."""
        await self.user.send_text(text)
        return await self.user.wait_for(timeout=WAIT)

    async def press(self, message: ChatMessage, data: str) -> ChatMessage:
        """Press the button carrying `data` on `message`; the bot's newest message after."""
        await self.user.press(message, data)
        return await self.user.wait_for(timeout=WAIT)

    async def press_shown(self, data: str) -> ChatMessage:
        """Press the button carrying `data` wherever the bot shows it (waiting for it)."""
        return await self.press(await self.showing(data), data)

    async def showing(self, data: str) -> ChatMessage:
        """The newest message in the chat showing a button with `data` (waits for one)."""
        return await self.seeing(lambda m: data in m.callback_data(), f"a button {data}")

    async def seeing(self, check: Callable[[ChatMessage], bool], what: str) -> ChatMessage:
        """The newest bot message in the chat passing `check` (waits for one)."""

        def newest() -> ChatMessage | None:
            return next((m for m in reversed(self.user.messages) if check(m)), None)

        found = await self.api.wait_changed(newest, WAIT)
        if found is None:
            raise TimeoutError(f"{self.user!r} never saw {what}:\n{self.user.transcript()}")
        return found


def buttons(message: ChatMessage) -> list[str]:
    """Every callback data on a message."""
    return message.callback_data()
