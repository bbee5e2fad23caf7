"""What the outbox sends, and what its sender (the Telegram adapter) may raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from storage.outbox import Progress, Upload


class SendError(Exception):
    """A message was not delivered."""


class RateLimited(SendError):
    """429: nothing was delivered; every send must wait `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        """Telegram's retry_after, in seconds."""
        super().__init__(f"retry after {retry_after}")
        self.retry_after = retry_after


class Blocked(SendError):
    """403: the person blocked the bot (or deleted their account)."""


class Failed(SendError):
    """Any other refusal; `transient` ones (5xx) are tried again."""

    def __init__(self, description: str, *, transient: bool) -> None:
        """Telegram's description of the error."""
        super().__init__(description)
        self.transient = transient


class InDoubt(SendError):
    """The call may or may not have been delivered (a timeout on the wire)."""


@dataclass(frozen=True)
class Outgoing:
    """One message: HTML text (or caption), an optional file and inline keyboard."""

    text: str
    media_kind: str | None = None  # photo | document
    media_file_id: str | None = None
    markup: dict[str, Any] | None = None  # an inline keyboard, as Bot API JSON
    upload: Upload | None = None  # a file to upload (a photo), instead of a file_id


class Sender(Protocol):
    """The outbox's window on Telegram: deliver one message, show a job's progress."""

    async def send(self, chat_id: int, message: Outgoing) -> None:
        """Send `message` to `chat_id`, raising the errors above."""
        ...

    async def show_progress(self, progress: Progress) -> None:
        """Show a job's progress where its author watches it (may do nothing)."""
        ...
