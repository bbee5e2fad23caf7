"""/inbox for admins: the durable inbox in chat, as `pingyi inbox` shows it — how many
updates wait and since when, each parked update with its error — and
`/inbox retry ID…` / `/inbox retry all` to put parked updates back in line."""

from __future__ import annotations

from bot.app.services import Services
from bot.i18n import echo, t
from bot.telegram.common.incoming import Incoming, tell
from bot.telegram.common.routing import ADMIN, Routes

routes = Routes("inbox")
SHOWN = 20  # parked updates listed in one message
ERROR_SHOWN = 200  # characters of each one's error


@routes.command("inbox", roles=ADMIN)
async def inbox(message: Incoming, services: Services, locale: str) -> None:
    """/inbox: the summary and the parked updates; /inbox retry …: put them back."""
    words = (message.args or "").split()
    if not words:
        await tell(message, await _summary(services, locale))
    elif words[0].lower() == "retry" and len(words) > 1:
        await tell(message, await _retry(services, words[1:], locale))
    else:
        await tell(message, t(locale, "inbox.usage"))


async def _summary(services: Services, locale: str) -> str:
    """What waits, since when, and the parked updates (oldest first)."""
    depth = await services.inbox.depth()
    oldest = (
        t(locale, "inbox.oldest", at=f"{depth.oldest:%Y-%m-%d %H:%M:%S}") if depth.oldest else ""
    )
    lines = [t(locale, "inbox.summary", pending=depth.pending, oldest=oldest, parked=depth.parked)]
    for p in await services.inbox.parked(limit=SHOWN):
        error = echo(" ".join(p.error.split()), ERROR_SHOWN)
        person = p.person if p.person is not None else "—"
        lines.append(
            t(locale, "inbox.line", id=p.update_id, person=person, attempts=p.attempts, error=error)
        )
    return "\n".join([*lines, "", t(locale, "inbox.usage")])


async def _retry(services: Services, words: list[str], locale: str) -> str:
    """Retry the parked updates named (or all); a word that is no id gets the usage."""
    if words == ["all"]:
        count = await services.inbox.retry(None)
    elif all(w.isdigit() for w in words):
        count = await services.inbox.retry([int(w) for w in words])
    else:
        return t(locale, "inbox.usage")
    return t(locale, "inbox.retried", count=count)
