"""Composing a broadcast in chat: a draft job, filled step by step, then started.

The draft is an outbox job in status ``draft`` (so a restart keeps it; see
storage/drafts.py); its step says what the admin's next message is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot.core.clock import Clock
from bot.outbox.queue import Outbox
from storage.admin import Audience
from storage.drafts import Draft, DraftStore
from storage.uow import Database

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Telegram's HTML: these tags and no others (attributes: a href, span/tg-spoiler class).
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)


@dataclass(frozen=True)
class Problem:
    """Why a text cannot be sent: a key under admin.bc.problem.* and its values."""

    key: str  # empty | too_long | tag | unclosed | bare_lt
    values: dict[str, str | int] = field(default_factory=dict)


class _Checker(HTMLParser):
    """Collects the first problem with a piece of Telegram HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem: Problem | None = None
        self.length = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS or (tag == "a" and not any(k == "href" and v for k, v in attrs)):
            self.problem = self.problem or Problem("tag", {"tag": f"<{tag}>"})
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problem = self.problem or Problem("tag", {"tag": f"</{tag}>"})
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.length += len(data.encode("utf-16-le")) // 2


# A "<" that starts no tag: Python's parser takes it as text, Telegram's refuses it.
_BARE_LT = re.compile(r"<(?![a-zA-Z/])")


def html_problem(text: str, limit: int = TEXT_LIMIT) -> Problem | None:
    """What is wrong with `text` as Telegram HTML (None: it can be sent)."""
    if _BARE_LT.search(text):
        return Problem("bare_lt")
    checker = _Checker()
    try:
        checker.feed(text)
        checker.close()
    except Exception:  # HTMLParser rarely raises, but bad input must not crash us
        return Problem("tag", {"tag": "<"})
    if checker.problem:
        return checker.problem
    if checker.stack:
        return Problem("unclosed", {"tag": f"<{checker.stack[-1]}>"})
    if not checker.length or not text.strip():
        return Problem("empty")
    if checker.length > limit:
        return Problem("too_long", {"length": checker.length, "limit": limit})
    return None


class Composer:
    """Drafts of broadcasts, one per admin at a time."""

    def __init__(self, db: Database, clock: Clock, outbox: Outbox) -> None:
        """Drafts live in `db`; `composing` mirrors who has one awaiting a message."""
        self.store, self.clock, self.outbox = DraftStore(db), clock, outbox
        self.composing: dict[int, int] = {}  # admin → draft id, while a message is awaited

    async def load(self) -> None:
        """Read drafts awaiting a message (at start-up)."""
        self.composing = await self.store.awaiting()

    async def start(self, actor: int, locale: str) -> Draft:
        """A new draft (an older unsent draft of this admin is dropped)."""
        step = f"text:{locale}"
        draft_id = await self.store.new(actor, step, self.clock.now())
        self.composing[actor] = draft_id
        return Draft(draft_id, {}, step, None, None)

    async def get(self, actor: int, draft_id: int | None = None) -> Draft | None:
        """The admin's current draft (or that one, if it is theirs and still a draft)."""
        return await self.store.get(draft_id or 0, actor)

    async def set_step(self, actor: int, draft_id: int, step: str | None) -> None:
        """What the admin's next message is for (None: nothing)."""
        await self.store.update(draft_id, compose_step=step)
        if step is None:
            self.composing.pop(actor, None)
        else:
            self.composing[actor] = draft_id

    async def set_text(
        self,
        actor: int,
        draft: Draft,
        locale: str,
        text: str,
        media: tuple[str, str] | None = None,
    ) -> Problem | None:
        """Store one locale's text (and the media, with the first text); a problem or None."""
        has_media = media is not None or draft.media_kind is not None
        problem = html_problem(text, CAPTION_LIMIT if has_media else TEXT_LIMIT)
        if problem is not None:
            return problem
        values: dict[str, object] = {"texts": {**draft.texts, locale: text}, "compose_step": None}
        if media is not None:
            values["media_kind"], values["media_file_id"] = media
        await self.store.update(draft.id, **values)
        self.composing.pop(actor, None)
        return None

    async def set_audience(self, draft_id: int, audience: Audience) -> None:
        """Remember the audience shown in the preview (sent to on confirmation)."""
        await self.store.update(draft_id, audience=audience.to_json(), compose_step=None)

    async def discard(self, actor: int, draft_id: int) -> bool:
        """Drop a draft; False if it was no longer a draft."""
        self.composing.pop(actor, None)
        return await self.outbox.cancel(draft_id)
