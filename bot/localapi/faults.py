"""Injected failures: flood limits, blocked users and server errors, with counters.

Everything here is consulted before a method runs, so a refused call changes
nothing in the chats, exactly like a refused call to api.telegram.org.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.localapi.errors import ApiError, forbidden, http_error, too_many_requests

# The methods that deliver a message and so are subject to flood limits.
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
# Failing polling by default would only make aiogram back off for seconds.
_NEVER_FAILED_BY_DEFAULT = frozenset({"getUpdates"})
# Still answered for a user who blocked the bot.
_ALLOWED_WHEN_BLOCKED = frozenset({"getChat"})
_FORBIDDEN_STATUS = 403
_TOO_MANY_STATUS = 429
_SERVER_ERROR_STATUS = 500


class SlidingWindow:
    """At most `capacity` accepted events in any `window` seconds."""

    def __init__(self, per_second: float) -> None:
        """A rate below 1/s widens the window so that at least one event fits."""
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.window = 1.0 if per_second >= 1 else 1.0 / per_second
        self.capacity = max(1, int(per_second * self.window + 1e-9))
        self._stamps: deque[float] = deque()

    def allows(self, now: float) -> bool:
        """Whether one more event at `now` stays within the limit."""
        while self._stamps and now - self._stamps[0] >= self.window:
            self._stamps.popleft()
        return len(self._stamps) < self.capacity

    def add(self, now: float) -> None:
        """Count an accepted event (refused ones do not use up the allowance)."""
        self._stamps.append(now)


@dataclass
class _Limit:
    """A configured rate limit and the retry_after it answers with."""

    per_second: float
    retry_after: int


@dataclass
class _PendingFailures:
    """`fail_next`: how many calls still fail, with which status, for which methods."""

    remaining: int
    status: int
    methods: frozenset[str] | None


class Faults:
    """Configure failures for the local server, and count the ones it provoked."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """No faults until configured; `clock` is injectable for deterministic tests."""
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        """Remove every fault and zero the counters."""
        self._global: _Limit | None = None
        self._global_window: SlidingWindow | None = None
        self._per_chat: _Limit | None = None
        self._chat_windows: dict[int, SlidingWindow] = {}
        self._blocked: set[int] = set()
        self._next: list[_PendingFailures] = []
        self._chat_failures: dict[int, tuple[int, int | None]] = {}
        self.rate_limited = 0  # 429s answered
        self.forbidden = 0  # 403s answered
        self.server_errors = 0  # 5xx answered

    # -- configuration -----------------------------------------------------------------

    def rate_limit(self, per_second: float, retry_after: int = 1) -> None:
        """Answer 429 to sends beyond `per_second` in a sliding window (Telegram: ~30/s)."""
        self._global = _Limit(per_second, retry_after)
        self._global_window = SlidingWindow(per_second)

    def per_chat_rate_limit(self, per_second: float = 1.0, retry_after: int = 1) -> None:
        """Answer 429 to sends beyond `per_second` to any single chat (Telegram: ~1/s)."""
        self._per_chat = _Limit(per_second, retry_after)
        self._chat_windows = {}

    def clear_rate_limits(self) -> None:
        """Remove both rate limits."""
        self._global = self._global_window = self._per_chat = None
        self._chat_windows = {}

    def block(self, user_id: int) -> None:
        """The user blocked the bot: calls to their chat answer 403."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """The user restarted the bot."""
        self._blocked.discard(user_id)

    def is_blocked(self, user_id: int) -> bool:
        """Whether the user currently blocks the bot."""
        return user_id in self._blocked

    def fail_next(
        self, n: int = 1, status: int = 500, *, methods: Iterable[str] | None = None
    ) -> None:
        """The next `n` calls (of `methods`; default all but getUpdates) answer `status`."""
        chosen = frozenset(methods) if methods is not None else None
        self._next.append(_PendingFailures(n, status, chosen))

    def fail_chat(self, chat_id: int, status: int = 500, *, times: int | None = None) -> None:
        """Calls addressed to `chat_id` answer `status`, `times` times or until healed."""
        self._chat_failures[chat_id] = (status, times)

    def heal_chat(self, chat_id: int) -> None:
        """Stop failing calls to `chat_id`."""
        self._chat_failures.pop(chat_id, None)

    # -- used by the server ------------------------------------------------------------

    def check(self, method: str, chat_id: int | None) -> None:
        """Raise the ApiError a configured fault dictates for this call, counting it."""
        error = self._injected(method, chat_id) or self._blocked_error(method, chat_id)
        if error is None and method in SEND_METHODS:
            error = self._rate_error(chat_id)
        if error is not None:
            self._count(error.status)
            raise error

    def note_sent(self, chat_id: int) -> None:
        """A message was delivered: it uses up rate allowance."""
        now = self._clock()
        if self._global_window is not None:
            self._global_window.add(now)
        if self._per_chat is not None:
            self._chat_window(chat_id).add(now)

    # -- internals ---------------------------------------------------------------------

    def _injected(self, method: str, chat_id: int | None) -> ApiError | None:
        for pending in self._next:
            applies = (
                method in pending.methods
                if pending.methods is not None
                else method not in _NEVER_FAILED_BY_DEFAULT
            )
            if applies and pending.remaining > 0:
                pending.remaining -= 1
                self._next = [p for p in self._next if p.remaining > 0]
                return http_error(pending.status)
        if chat_id is None or chat_id not in self._chat_failures:
            return None
        status, times = self._chat_failures[chat_id]
        if times is not None:
            if times <= 1:
                del self._chat_failures[chat_id]
            else:
                self._chat_failures[chat_id] = (status, times - 1)
        return http_error(status)

    def _blocked_error(self, method: str, chat_id: int | None) -> ApiError | None:
        if chat_id in self._blocked and method not in _ALLOWED_WHEN_BLOCKED:
            return forbidden("bot was blocked by the user")
        return None

    def _rate_error(self, chat_id: int | None) -> ApiError | None:
        now = self._clock()
        window = self._global_window
        if self._global is not None and window is not None and not window.allows(now):
            return too_many_requests(self._global.retry_after)
        limit = self._per_chat
        if limit is not None and chat_id is not None and not self._chat_window(chat_id).allows(now):
            return too_many_requests(limit.retry_after)
        return None

    def _chat_window(self, chat_id: int) -> SlidingWindow:
        window = self._chat_windows.get(chat_id)
        if window is None and self._per_chat is not None:
            window = self._chat_windows[chat_id] = SlidingWindow(self._per_chat.per_second)
        if window is None:
            raise RuntimeError("no per-chat rate limit is configured")
        return window

    def _count(self, status: int) -> None:
        if status == _TOO_MANY_STATUS:
            self.rate_limited += 1
        elif status == _FORBIDDEN_STATUS:
            self.forbidden += 1
        elif status >= _SERVER_ERROR_STATUS:
            self.server_errors += 1
