"""The lifecycle table on its own: every action, from every state, by every actor.

`SPEC` is the lifecycle written out by hand (the behaviour the bot had before the
table existed); `check` must allow exactly what it lists and refuse the rest, for
the right reason.  The diagram in the module docstring and in the docs must list
exactly the table's transitions.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bot.complaints import lifecycle
from bot.complaints.lifecycle import Action, Actor, Refusal, Status, Transition, Why, check

DOCS = Path(__file__).resolve().parents[3] / "docs" / "complaints-lifecycle.md"
TRI, OPN, ACC, CLO, DRA = Status.TRIAGE, Status.OPEN, Status.ACCEPTED, Status.CLOSED, Status.DRAFT
ACTIVE = {TRI, OPN, ACC}

# action: (states it may start from, state it leads to (None: unchanged), who, no-handler state)
SPEC: dict[Action, tuple[set[Status], Status | None, set[Actor] | Actor, Status | None]] = {
    Action.FILE: ({DRA}, OPN, Actor.CITIZEN, TRI),
    Action.INFO: (ACTIVE, None, Actor.CITIZEN, None),
    Action.REPLY: (ACTIVE, None, Actor.CITIZEN, None),
    Action.RATE: ({CLO}, None, Actor.CITIZEN, None),
    Action.REVIEW: ({CLO}, None, Actor.CITIZEN, None),
    Action.ACCEPT: ({OPN}, ACC, Actor.HANDLER, None),
    Action.ASK: ({OPN, ACC}, None, Actor.HANDLER, None),
    Action.EXTEND: ({OPN, ACC}, None, Actor.HANDLER, None),
    Action.PROGRESS: ({OPN, ACC}, None, Actor.HANDLER, None),
    Action.COHANDLE: ({OPN, ACC}, None, {Actor.HANDLER, Actor.CENTRE}, None),
    Action.PART: ({OPN, ACC}, None, Actor.COHANDLER, None),
    Action.TRANSFER: ({OPN, ACC}, TRI, Actor.HANDLER, None),
    Action.CLOSE: ({OPN, ACC}, CLO, Actor.HANDLER, None),
    Action.ROUTE: ({TRI}, OPN, Actor.CENTRE, TRI),
    Action.SET_CLASS: (ACTIVE, None, Actor.CENTRE, None),
    Action.APPROVE: (ACTIVE, None, Actor.CENTRE, None),
    Action.REFUSE: (ACTIVE, None, Actor.CENTRE, None),
    Action.REOPEN: ({CLO}, OPN, Actor.CENTRE, TRI),
    Action.UPHOLD: ({CLO}, None, Actor.CENTRE, None),
}


def test_the_spec_names_every_action() -> None:
    assert set(SPEC) == set(Action)


@pytest.mark.parametrize(
    ("action", "status", "actor"), list(itertools.product(Action, Status, [*Actor, None]))
)
def test_check_follows_the_table(action: Action, status: Status, actor: Actor | None) -> None:
    sources, target, who, fallback = SPEC[action]
    allowed = who if isinstance(who, set) else {who}
    result = check(action, status, actor)
    if actor not in allowed:
        assert result == Refusal(action, status, actor, Why.ACTOR)
    elif status not in sources:
        assert result == Refusal(action, status, actor, Why.STATE)
    else:
        assert isinstance(result, Transition)
        assert (result.actor, result.source, result.to(True)) == (actor, status, target or status)
        assert result.to(False) == (fallback or target or status)


def test_guarded_updates_expect_the_table_sources() -> None:
    for action, (sources, *_) in SPEC.items():
        assert set(lifecycle.sources(action)) == {s.value for s in sources}


def test_stored_status_values_do_not_change() -> None:
    stored = {s.value for s in Status} - {"draft"}
    assert stored == {"triage", "open", "accepted", "closed"}


@pytest.mark.parametrize("where", ["docstring", "docs"])
def test_the_diagram_lists_exactly_the_table(where: str) -> None:
    text = lifecycle.__doc__ if where == "docstring" else DOCS.read_text("utf-8")
    assert text is not None and "stateDiagram-v2" in text
    assert lifecycle.parse_mermaid(text) == lifecycle.edges()
    assert lifecycle.table() in text
    # The edges themselves, from the spec, so a wrong generator cannot pass either.
    expected = set()
    for action, (sources, target, _, fallback) in SPEC.items():
        for s in sources:
            expected.add((s, target or s, action.value))
            if fallback is not None:
                expected.add((s, fallback, action.value + " (no handler)"))
    assert lifecycle.edges() == expected


def test_a_drifted_diagram_is_caught() -> None:
    drifted = lifecycle.mermaid().replace("open --> accepted : accept", "open --> closed : accept")
    assert lifecycle.parse_mermaid(drifted) != lifecycle.edges()
