"""LOG_FORMAT=json: one JSON object a line."""

from __future__ import annotations

import json
import logging
import sys

from bot.app.logs import JsonFormatter


def test_a_record_is_one_json_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        exc = sys.exc_info()
    record = logging.LogRecord("bot.x", logging.ERROR, __file__, 1, "update %s 失败", (7,), exc)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "ERROR",
        "bot.x",
        "update 7 失败",
    )
    assert "ValueError: boom" in entry["exception"]
