"""The arrows between the packages point one way (docs/architecture.md):

* SQL (sqlalchemy) and the tables (storage.models) are used in storage/ only;
* storage/ imports nothing from bot/ — the types both speak live in storage
  (storage/records.py, storage/complaint_records.py).

* aiogram is imported in bot/telegram/aiogram/ only, python-telegram-bot in
  bot/telegram/ptb/ only, and bot/telegram/common/ imports neither.

ruff's banned-api says the same (bot/telegram/aiogram/ruff.toml and
bot/telegram/ptb/ruff.toml each lift the ban on their own framework only), but its
per-file ignores are per rule: this test reads every file as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _offenders(package: str, banned: tuple[str, ...]) -> dict[str, list[str]]:
    """Files of `package` importing a module under one of `banned`."""
    bad: dict[str, list[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        hits = [m for m in _imports(path) if any(m == b or m.startswith(b + ".") for b in banned)]
        if hits:
            bad[str(path.relative_to(ROOT))] = sorted(hits)
    return bad


def test_sql_and_tables_stay_in_storage() -> None:
    assert _offenders("bot", ("sqlalchemy", "storage.models")) == {}


def test_storage_imports_nothing_from_the_engine() -> None:
    assert _offenders("storage", ("bot",)) == {}


def test_the_check_sees_an_offender(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from sqlalchemy import select\nimport bot.core.clock\n")
    assert _imports(sample) >= {"sqlalchemy", "sqlalchemy.select", "bot.core.clock"}


FRAMEWORKS = ("aiogram", "telegram")  # aiogram, python-telegram-bot
# The only places outside tests and benches that may import a framework: its adapter.
ADAPTER_OF = {"aiogram": "bot/telegram/aiogram", "telegram": "bot/telegram/ptb"}


def test_each_framework_stays_in_its_adapter() -> None:
    bad = {
        path: hits
        for framework, adapter in ADAPTER_OF.items()
        for path, hits in _offenders("bot", (framework,)).items()
        if not path.startswith(adapter + "/")
    }
    assert bad == {}


def test_the_shared_part_knows_no_framework() -> None:
    assert _offenders("bot/telegram/common", FRAMEWORKS) == {}
