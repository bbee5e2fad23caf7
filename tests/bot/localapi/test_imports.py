"""The local server's modules import each other without a loop (TYPE_CHECKING ones too)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "bot" / "localapi"


def _imports(path: Path) -> set[str]:
    """The sibling modules `path` imports, wherever the import statement stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "bot.localapi":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("bot.localapi."):
                found.add(node.module.removeprefix("bot.localapi."))
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("bot.localapi.")
                for a in node.names
                if a.name.startswith("bot.localapi.")
            )
    return found


def test_no_import_loop() -> None:
    modules = {p.stem: p for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph = {name: _imports(path) & set(modules) for name, path in modules.items()}
    assert {"registry", "state", "methods", "users"} <= set(graph)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import loop in bot/localapi: {error.args[1]}") from None
    assert order.index("registry") < order.index("state") < order.index("methods")
    assert order.index("users") < order.index("state")
    assert order.index("inspection") < order.index("state")
