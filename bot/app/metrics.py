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
