"""What tests and demos read back from the local server: chats, calls, commands, answers."""

from __future__ import annotations

import json

from bot.localapi.models import (
    ApiCall,
    CallbackAnswer,
    ChatMessage,
    ChatState,
    JsonDict,
    PendingQuery,
)


def commands_key(scope: object, language_code: object) -> tuple[str, str]:
    """How command lists are filed: canonical scope JSON and language code."""
    scope = scope if isinstance(scope, dict) and scope else {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(language_code or "")


class Inspection:
    """Read-only views over the server's records (a base class of BotState)."""

    chats: dict[int, ChatState]
    calls: list[ApiCall]
    answers: list[CallbackAnswer]
    queries: dict[str, PendingQuery]
    commands: dict[tuple[str, str], list[JsonDict]]

    def sent_to(self, chat_id: int) -> list[ChatMessage]:
        """The bot's messages currently in the chat (edits applied, deleted ones gone)."""
        chat = self.chats.get(chat_id)
        return chat.bot_messages() if chat is not None else []

    def calls_to(self, chat_id: int) -> list[ApiCall]:
        """Every call addressed to this chat, refused ones included."""
        return [call for call in self.calls if call.chat_id == chat_id]

    def payloads_to(self, chat_id: int) -> list[JsonDict]:
        """The raw parameters of every call addressed to this chat (for privacy checks)."""
        return [call.params for call in self.calls_to(chat_id)]

    def outgoing_text(self, chat_id: int) -> str:
        """All payloads to this chat as one searchable string (one JSON object per line)."""
        return "\n".join(
            json.dumps(params, ensure_ascii=False, default=repr)
            for params in self.payloads_to(chat_id)
        )

    def calls_of(self, method: str) -> list[ApiCall]:
        """Every call of one method (case-insensitive, as Telegram matches method names)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def delivered_count(self, chat_id: int) -> int:
        """How many messages the bot successfully sent to this chat (for exactly-once)."""
        chat = self.chats.get(chat_id)
        return chat.delivered if chat is not None else 0

    def delivered_counts(self) -> dict[int, int]:
        """`delivered_count` for every chat that received something."""
        return {cid: chat.delivered for cid, chat in self.chats.items() if chat.delivered}

    def my_commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list set for this scope and language (empty if none)."""
        return list(self.commands.get(commands_key(scope, language_code), []))

    def unanswered_queries(self) -> list[PendingQuery]:
        """Button presses the bot has not answered (Telegram shows a spinner for these)."""
        return [query for query in self.queries.values() if not query.answered]

    def transcript(self, chat_id: int) -> str:
        """The chat as the user sees it, one line per message."""
        chat = self.chats.get(chat_id)
        messages = chat.messages.values() if chat is not None else []
        return "\n".join(message.describe() for message in messages)
