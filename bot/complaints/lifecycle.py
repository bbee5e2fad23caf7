"""The complaint lifecycle as data: which action, from which state, to which, by whom.

Every status guard of the complaint service is `check(action, status, actor)`
against `RULES`; nothing else decides whether an action may be taken.  Some
actions also need a fact besides the state (an extension pending, a rating not
yet given, a review requested): those are the guarded UPDATE's conditions in
`storage/complaints.py`, checked in the same statement that makes the change.

``draft`` is the citizen's draft (no complaint exists yet).  An action that hands
a complaint to a unit (file, route, reopen) leads to ``open``, or — when the unit
has no handler, or none was named — to ``triage`` with the complaint centre.

The diagram below is `mermaid()`; tests/bot/complaints/test_lifecycle_table.py
checks that it (here and in docs/complaints-lifecycle.md) lists exactly the
transitions of `RULES`.

.. code-block:: mermaid

    stateDiagram-v2
        [*] --> draft
        draft --> open : file
        draft --> triage : file (no handler)
        triage --> triage : info, reply, route (no handler), set_class, approve, refuse
        open --> open : info, reply, ask, extend, progress, cohandle
        open --> open : part, set_class, approve, refuse
        accepted --> accepted : info, reply, ask, extend, progress, cohandle
        accepted --> accepted : part, set_class, approve, refuse
        closed --> closed : rate, review, uphold
        open --> accepted : accept
        open --> triage : transfer
        accepted --> triage : transfer
        open --> closed : close
        accepted --> closed : close
        triage --> open : route
        closed --> open : reopen
        closed --> triage : reopen (no handler)

| action | from | to | who |
|---|---|---|---|
| file | draft | open (no handler: triage) | citizen |
| info | triage, open, accepted | (unchanged) | citizen |
| reply | triage, open, accepted | (unchanged) | citizen |
| rate | closed | (unchanged) | citizen |
| review | closed | (unchanged) | citizen |
| accept | open | accepted | handler |
| ask | open, accepted | (unchanged) | handler |
| extend | open, accepted | (unchanged) | handler |
| progress | open, accepted | (unchanged) | handler |
| cohandle | open, accepted | (unchanged) | handler, centre |
| part | open, accepted | (unchanged) | cohandler |
| transfer | open, accepted | triage | handler |
| close | open, accepted | closed | handler |
| route | triage | open (no handler: triage) | centre |
| set_class | triage, open, accepted | (unchanged) | centre |
| approve | triage, open, accepted | (unchanged) | centre |
| refuse | triage, open, accepted | (unchanged) | centre |
| reopen | closed | open (no handler: triage) | centre |
| uphold | closed | (unchanged) | centre |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.complaint_records import ACTIVE as ACTIVE  # the statuses live in storage
from storage.complaint_records import WITH_UNIT as WITH_UNIT
from storage.complaint_records import Status as Status

LABELS_PER_LINE = 6  # of one edge in the diagram: keeps its lines short
NO_HANDLER = " (no handler)"  # marks the fallback edge of a routing action in the diagram


class Actor(StrEnum):
    """Who acts on a complaint."""

    CITIZEN = "citizen"  # the complainant
    HANDLER = "handler"  # a handler of the complaint's (lead) unit
    COHANDLER = "cohandler"  # a handler of one of its co-handling units (共同办理)
    CENTRE = "centre"  # the complaint centre (效能投诉中心)


class Action(StrEnum):
    """What can be done to a complaint."""

    FILE = "file"
    INFO = "info"  # the citizen adds information
    REPLY = "reply"  # the citizen answers a handler's question
    RATE = "rate"
    REVIEW = "review"  # the citizen asks (once) for a review
    ACCEPT = "accept"
    ASK = "ask"  # the handler asks the citizen a question
    EXTEND = "extend"  # the handler asks the centre for more time
    PROGRESS = "progress"  # the handler tells the citizen how the case is progressing
    COHANDLE = "cohandle"  # the lead unit's handler or the centre adds a co-handling unit
    PART = "part"  # a co-handling unit adds its part (text and files) for the lead
    TRANSFER = "transfer"  # the handler sends it back to the centre
    CLOSE = "close"  # the handler closes it with a verdict and a result
    ROUTE = "route"
    SET_CLASS = "set_class"
    APPROVE = "approve"  # the centre approves an extension
    REFUSE = "refuse"  # the centre refuses an extension
    REOPEN = "reopen"  # the centre grants a review
    UPHOLD = "uphold"  # the centre upholds the result on review


class Why(StrEnum):
    """Why an action was refused."""

    ACTOR = "actor"  # not theirs to take
    STATE = "state"  # not from the state the complaint is in


@dataclass(frozen=True)
class Rule:
    """One action: the states it may start from, where it leads, who may take it."""

    action: Action
    sources: tuple[Status, ...]
    target: Status | None  # None: the complaint stays in the state it is in
    actors: frozenset[Actor]
    fallback: Status | None = None  # instead of `target` when the unit has no handler


@dataclass(frozen=True)
class Transition:
    """An allowed action, by whom, from the state the complaint is in."""

    action: Action
    actor: Actor
    source: Status
    target: Status
    fallback: Status | None = None

    def to(self, has_handlers: bool = True) -> Status:
        """The state it leads to (a routing action without handlers: the fallback)."""
        return self.target if has_handlers or self.fallback is None else self.fallback


@dataclass(frozen=True)
class Refusal:
    """A refused action, and why."""

    action: Action
    status: Status
    actor: Actor | None
    why: Why


_CITIZEN, _HANDLER, _CENTRE, _COHANDLER = (
    frozenset({a}) for a in (Actor.CITIZEN, Actor.HANDLER, Actor.CENTRE, Actor.COHANDLER)
)
_S = Status


def _rules(*rules: Rule) -> dict[Action, Rule]:
    return {rule.action: rule for rule in rules}


RULES: dict[Action, Rule] = _rules(
    Rule(Action.FILE, (_S.DRAFT,), _S.OPEN, _CITIZEN, fallback=_S.TRIAGE),
    Rule(Action.INFO, ACTIVE, None, _CITIZEN),
    Rule(Action.REPLY, ACTIVE, None, _CITIZEN),
    Rule(Action.RATE, (_S.CLOSED,), None, _CITIZEN),
    Rule(Action.REVIEW, (_S.CLOSED,), None, _CITIZEN),
    Rule(Action.ACCEPT, (_S.OPEN,), _S.ACCEPTED, _HANDLER),
    Rule(Action.ASK, WITH_UNIT, None, _HANDLER),
    Rule(Action.EXTEND, WITH_UNIT, None, _HANDLER),
    Rule(Action.PROGRESS, WITH_UNIT, None, _HANDLER),
    Rule(Action.COHANDLE, WITH_UNIT, None, _HANDLER | _CENTRE),
    Rule(Action.PART, WITH_UNIT, None, _COHANDLER),
    Rule(Action.TRANSFER, WITH_UNIT, _S.TRIAGE, _HANDLER),
    Rule(Action.CLOSE, WITH_UNIT, _S.CLOSED, _HANDLER),
    Rule(Action.ROUTE, (_S.TRIAGE,), _S.OPEN, _CENTRE, fallback=_S.TRIAGE),
    Rule(Action.SET_CLASS, ACTIVE, None, _CENTRE),
    Rule(Action.APPROVE, ACTIVE, None, _CENTRE),
    Rule(Action.REFUSE, ACTIVE, None, _CENTRE),
    Rule(Action.REOPEN, (_S.CLOSED,), _S.OPEN, _CENTRE, fallback=_S.TRIAGE),
    Rule(Action.UPHOLD, (_S.CLOSED,), None, _CENTRE),
)


def check(action: Action, status: Status, actor: Actor | None) -> Transition | Refusal:
    """Whether `actor` may take `action` on a complaint in `status` (who first, then state)."""
    rule = RULES[action]
    if actor is None or actor not in rule.actors:
        return Refusal(action, status, actor, Why.ACTOR)
    if status not in rule.sources:
        return Refusal(action, status, actor, Why.STATE)
    return Transition(action, actor, status, rule.target or status, rule.fallback)


def sources(action: Action) -> tuple[str, ...]:
    """The stored states an action may start from (what its guarded UPDATE expects)."""
    return tuple(s.value for s in RULES[action].sources)


def edges() -> set[tuple[Status, Status, str]]:
    """Every (from, to, label) the table allows; a fallback's label is marked NO_HANDLER."""
    found: set[tuple[Status, Status, str]] = set()
    for rule in RULES.values():
        for source in rule.sources:
            found.add((source, rule.target or source, rule.action.value))
            if rule.fallback is not None:
                found.add((source, rule.fallback, rule.action.value + NO_HANDLER))
    return found


def mermaid() -> str:
    """The state diagram (Mermaid stateDiagram-v2): self-loops first, one line per edge."""
    labels: dict[tuple[Status, Status], list[str]] = {}
    order = {label: n for n, label in enumerate(_label_order())}
    for source, target, label in sorted(edges(), key=lambda e: order[e[2]]):
        labels.setdefault((source, target), []).append(label)
    states = list(Status)

    def place(pair: tuple[Status, Status]) -> tuple[int, int, int]:
        loop = 0 if pair[0] is Status.DRAFT else 1 if pair[0] == pair[1] else 2
        return loop, min(order[x] for x in labels[pair]), states.index(pair[0])

    lines = ["stateDiagram-v2", "    [*] --> draft"]
    for pair in sorted(labels, key=place):
        names = labels[pair]
        # A long list of self-loops is split over several lines (the same edge again).
        for start in range(0, len(names), LABELS_PER_LINE):
            chunk = ", ".join(names[start : start + LABELS_PER_LINE])
            lines.append(f"    {pair[0]} --> {pair[1]} : {chunk}")
    return "\n".join(lines)


def _label_order() -> list[str]:
    """Labels in table order, each fallback right after its action."""
    return [x for a in RULES for x in (a.value, a.value + NO_HANDLER)]


def parse_mermaid(text: str) -> set[tuple[Status, Status, str]]:
    """The (from, to, label) edges a stateDiagram-v2 text lists ([*] edges left out)."""
    found: set[tuple[Status, Status, str]] = set()
    for line in text.splitlines():
        if "-->" not in line or "[*]" in line:
            continue
        pair, _, labels = line.partition(":")
        source, _, target = (part.strip() for part in pair.partition("-->"))
        for label in labels.split(","):
            found.add((Status(source), Status(target), label.strip()))
    return found


def table() -> str:
    """The rules as a Markdown table: action, from, to, who."""
    rows = ["| action | from | to | who |", "|---|---|---|---|"]
    for rule in RULES.values():
        target = rule.target.value if rule.target else "(unchanged)"
        if rule.fallback is not None:
            target += f" (no handler: {rule.fallback})"
        froms = ", ".join(s.value for s in rule.sources)
        who = ", ".join(a.value for a in Actor if a in rule.actors)
        rows.append(f"| {rule.action} | {froms} | {target} | {who} |")
    return "\n".join(rows)
