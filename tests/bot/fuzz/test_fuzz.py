"""Fuzzing every flow through the local Bot API server (issue 13).

Each hypothesis example is one new person — a citizen in the questionnaire or filing a
complaint, a unit's handler with a case, an evaluator, an admin — who opens their flow
and then takes random steps: presses a button the bot shows, presses a stale or forged
one, types a generated text (long, HTML, entities, zero-width, right-to-left, emoji,
blank), sends media of any kind where text is expected, edits an earlier message, or
types a command.  Every step must be handled without an error logged, with every Bot
API call accepted and a reply (message or toast); after the example the database must
hold its invariants.

The number of examples follows the hypothesis profile (tests/conftest.py): ``ci`` (the
default) keeps the run to a couple of minutes, ``dev`` runs far longer::

    HYPOTHESIS_PROFILE=dev pytest -m fuzz
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.access.service import Role
from tests.bot.complaints.test_lifecycle import file_complaint
from tests.bot.telegram.helpers import Citizen
from tests.storage.conftest import POSTGRES_SKIP, POSTGRES_URL, reset_postgres

from .inputs import MEDIA_KINDS, UNIT_WORDS, entities, forged_data, typed_text
from .invariants import broken_invariants
from .world import HANDLER_UNIT, Person, World, db_file

# Examples per backend by profile (each a dozen round trips): `ci` takes well under a
# couple of minutes; `dev` runs 300 (about six minutes on SQLite on a quiet machine).
LONG = os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci"
EXAMPLES = 300 if LONG else 50
STEPS = 12

CITIZEN_COMMANDS = (
    "/start",
    "/help",
    "/language",
    "/cancel",
    "/survey",
    "/complain",
    "/mycomplaints",
    "/results",
    "/mydata",
    "/forget",
    "/code",
)
STAFF_COMMANDS = (
    "/cases",
    "/progress",
    "/ranking",
    "/score",
    "/issues",
    "/overdue",
    "/chart",
    "/mark",
    "/bonus",
    "/finding",
    "/phase",
    "/void",
    "/suspicious",
)
ADMIN_COMMANDS = ("/broadcast", "/grant", "/revoke", "/codes", "/audit", "/publish")
# Buttons that change the whole campaign for every later example (its phase).
GLOBAL_PREFIXES = ("ph:",)

ROLES: dict[str, tuple[Role | None, str]] = {
    "survey": (None, "/survey"),
    "complaint": (None, "/complain"),
    "handler": (Role.HANDLER, "/cases"),
    "centre": (Role.HANDLER, "/cases"),  # the complaint centre: one person, every example
    "evaluator": (Role.EVALUATOR, "/progress"),
    "admin": (Role.ADMIN, "/broadcast"),
}


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=POSTGRES_SKIP)
        ),
    ],
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One running bot for the whole run, on SQLite or PostgreSQL."""
    url = db_file(tmp_path_factory.mktemp("fuzz")) if request.param == "sqlite" else POSTGRES_URL
    if request.param != "sqlite":
        asyncio.run(reset_postgres(url))
    running = World(url)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@st.composite
def command(draw: st.DrawFn, role: Role | None) -> str:
    """A command this person may or may not hold the role for, with generated arguments."""
    names = CITIZEN_COMMANDS + (STAFF_COMMANDS + ADMIN_COMMANDS if role else ())
    name = draw(st.sampled_from(names))
    words = st.one_of(st.sampled_from(UNIT_WORDS), typed_text(), st.integers().map(str))
    args = draw(st.lists(words, max_size=3))
    return " ".join([name, *args])[:5000]


ACTIONS = ("press",) * 6 + ("type", "type", "command", "media", "forged", "edit", "stale", "group")


@st.composite
def steps(draw: st.DrawFn, role: Role | None) -> dict[str, Any]:
    """Everything one step may need, drawn whatever the chat shows: the draws must not
    depend on the bot's state (hypothesis replays them), so a button or message is an
    index taken modulo what there is when the step runs."""
    text = draw(typed_text(), label="text")
    return {
        "action": draw(st.sampled_from(ACTIONS), label="action"),
        "pick": draw(st.integers(min_value=0, max_value=10_000), label="pick"),
        "other": draw(st.integers(min_value=0, max_value=10_000), label="other"),
        "text": text,
        "entities": draw(entities(text), label="entities"),
        "command": draw(command(role), label="command"),
        "media": draw(st.sampled_from(MEDIA_KINDS), label="media"),
        "forged": draw(forged_data(), label="forged"),
    }


def step(person: Person, drawn: dict[str, Any]) -> None:
    """One action of `person`; one that the chat does not allow now becomes typing."""
    visible = [(m, d) for m, d in person.visible if not d.startswith(GLOBAL_PREFIXES)]
    action, pick, other = drawn["action"], drawn["pick"], drawn["other"]
    messages, texts, seen = person.user.messages, person.own_texts, person.seen_data
    if action == "press" and visible:
        person.press(*visible[pick % len(visible)])
    elif action == "command":
        person.send(drawn["command"])
    elif action == "media":
        person.send_media(drawn["media"], drawn["text"] if pick % 2 else "")
    elif action == "edit" and texts:
        person.edit(texts[pick % len(texts)], drawn["text"])
    elif action == "stale" and seen and messages:
        person.press(messages[other % len(messages)], seen[pick % len(seen)])
    elif action == "group":
        person.send_to_group(drawn["command"] if pick % 2 else drawn["text"])
    elif action == "forged" and messages:
        person.press(messages[other % len(messages)], drawn["forged"])
    else:
        person.send(drawn["text"], drawn["entities"])


async def a_case(world: World, unit: str | None) -> None:
    """A complaint filed about the handlers' unit (None: "not sure", for the centre to
    route), so a handler or the centre has a card to act on."""
    citizen = Citizen(world.app, next(world.ids))
    await file_complaint(citizen, unit, "窗口人员态度粗暴，办事拖延。")


@pytest.mark.fuzz
@pytest.mark.timeout(6 * 3600 if LONG else 900)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_input_is_answered(world: World, data: st.DataObject) -> None:
    role_name = data.draw(st.sampled_from(sorted(ROLES)), label="role")
    role, opening = ROLES[role_name]
    locale = data.draw(st.sampled_from(["zh-hans", "en", "zh-hant"]), label="locale")
    person = world.centre if role_name == "centre" else world.person(role, locale)
    if role is Role.HANDLER:
        world.run(a_case(world, None if role_name == "centre" else HANDLER_UNIT))
    person.send(opening)
    for drawn in data.draw(st.lists(steps(role), min_size=3, max_size=STEPS), label="steps"):
        step(person, drawn)
    broken = world.run(broken_invariants(world.app.services))
    assert broken == [], "database invariants broken:\n" + "\n".join(broken)
