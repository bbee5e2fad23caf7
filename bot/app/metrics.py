"""The process's Prometheus metrics (served at /metrics by bot/app/webserver.py).

Module-level, in prometheus-client's default registry: one set per process;
Prometheus sums the workers.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

RECEIVED = Counter(
    "pingyi_updates_received", "Updates stored in the inbox and acknowledged", ["source"]
)
REJECTED = Counter("pingyi_webhook_rejected", "Webhook requests refused for a wrong secret")
HANDLED = Counter("pingyi_updates_handled", "Updates handled by this process's workers")
FAILED = Counter("pingyi_updates_failed", "Handler failures (each attempt)")
PARKED = Counter("pingyi_updates_parked", "Updates parked after their last attempt")
HANDLING = Histogram(
    "pingyi_update_handling_seconds",
    "From claim to handled, per update",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
INBOX_DEPTH = Gauge("pingyi_inbox_pending", "Updates waiting in the inbox (at the last scrape)")
INBOX_PARKED = Gauge("pingyi_inbox_parked", "Parked updates (at the last scrape)")
INBOX_AGE = Gauge(
    "pingyi_inbox_oldest_age_seconds", "Age of the oldest waiting update (at the last scrape)"
)
WRITER_BATCH = Histogram(
    "pingyi_writer_batch_size",
    "Units of work committed together in one transaction by the group-commit writer",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000),
)
BOT_API_CALLS = Counter(
    "pingyi_bot_api_calls",
    "Calls this process made to the Bot API, by method and result (ok, 429, 403, 400, other)",
    ["method", "result"],
)
OUTBOX_MESSAGES = Gauge(
    "pingyi_outbox_messages",
    "Outbox messages (broadcasts, reminders, notices, deliveries) by job kind and state: "
    "pending, sending, sent, blocked, failed, unknown (at the last scrape)",
    ["kind", "state"],
)
SCORE_REFRESH = Histogram(
    "pingyi_score_refresh_seconds",
    "How long the scorer's refreshes took, incremental or full",
    ["full"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


def observe_refresh(full: bool, seconds: float) -> None:
    """The scorer finished a refresh (ScoringService.on_refreshed)."""
    SCORE_REFRESH.labels("true" if full else "false").observe(seconds)


def api_call(method: str, result: str) -> None:
    """One Bot API call's outcome (bot/telegram/app.py's session middleware)."""
    BOT_API_CALLS.labels(method, result).inc()


def outbox_totals(totals: dict[tuple[str, str], int]) -> None:
    """Set the outbox gauges from counts by (kind, state); states now absent read 0."""
    for key in _outbox_keys - totals.keys():
        OUTBOX_MESSAGES.labels(*key).set(0)
    for (kind, state), count in totals.items():
        OUTBOX_MESSAGES.labels(kind, state).set(count)
    _outbox_keys.update(totals)


_outbox_keys: set[tuple[str, str]] = set()  # (kind, state) pairs the gauge has shown
