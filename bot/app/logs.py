"""Logging set-up: plain lines, or one JSON object a line with LOG_FORMAT=json (for a
log shipper: Loki, Elasticsearch, journald's JSON export)."""

from __future__ import annotations

import json
import logging
import os

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, process (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        """One JSON object, no newlines inside."""
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int) -> None:
    """Log at `level` to stderr, as LOG_FORMAT says ("json" or plain, the default).

    Read from the environment directly: logging starts before settings are loaded,
    so a bad setting can itself be logged in the chosen format.
    """
    handler = logging.StreamHandler()
    if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(PLAIN))
    logging.basicConfig(level=level, handlers=[handler])
