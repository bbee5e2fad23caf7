""".env.example lists every setting the bot reads."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app.config import Settings

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_is_in_env_example() -> None:
    listed = set(re.findall(r"^(?:# )?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    wanted = {field.alias for field in Settings.model_fields.values() if field.alias}
    assert wanted | {"LOG_FORMAT"} == listed
