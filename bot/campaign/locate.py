"""Where a cross-reference error in a campaign file points (used by bot/campaign/loader.py).

Cross-reference checks in the schema raise plain ValueErrors at the level of the
model that runs them (often the whole campaign), so pydantic reports them with
no useful location.  Each pattern below recognises one of those messages and
names, relative to the reported location, the key the reader should look at.
Path syntax: `name` selects a key; `name[key=value]` then selects the last list
item whose `key` equals (or, for a list, contains) `value`; `name[=value]` the
last item equal to `value`.  A message no pattern knows keeps pydantic's location.
"""

from __future__ import annotations

import re
from typing import Any

Loc = tuple[str | int, ...]  # a location in the file's data: keys and list indices

_MESSAGE_FIELDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), path)
    for pattern, path in (
        (r"duplicate unit id '([^']+)'", "units[id={0}].id"),
        (r"unit (\S+): parent '([^']+)' is not a unit", "units[id={0}].parent"),
        (r"duplicate category id '([^']+)'", "categories[id={0}].id"),
        (r"exactly one category must be marked public", "categories"),
        (r"duplicate phase id '([^']+)'", "phases[id={0}].id"),
        (r"duplicate component id '([^']+)'", "components[id={0}].id"),
        (r"component (\S+): category '([^']+)'", "components[id={0}].categories[={1}]"),
        (r"component (\S+): phase '([^']+)'", "components[id={0}].phase"),
        (r"survey component (\S+) needs", "components[id={0}]"),
        (r"rectification component (\S+):", "components[id={0}]"),
        (r"component (\S+): only a survey component has items", "components[id={0}].items"),
        (r"at most one rectification component", "components"),
        (r"component weights sum", "components"),
        (r"composition rule: component '([^']+)'", "rules.composition[component={0}].component"),
        (
            r"composition rule: category '([^']+)'",
            "rules.composition[categories={0}].categories[={0}]",
        ),
        (r"complaints\.deduction_component", "complaints.deduction_component"),
        (r"duplicate case class id '([^']+)'", "case_classes[id={0}].id"),
        (r"duplicate conduct kind id '([^']+)'", "conduct_kinds[id={0}].id"),
        (r"default_case_class", "default_case_class"),
        (r"duplicate item id '([^']+)'", "[id={0}].id"),
        (r"phase \S+: end", "end"),
        (r"follows\.campaign", "follows.campaign"),
        (r"follows\.units: '([^']+)'", "follows.units.{0}"),
    )
)

_PATH_STEP = re.compile(r"^(?P<key>[\w-]*)(?:\[(?P<attr>\w*)=(?P<value>[^\]]*)\])?$")


def refine(loc: Loc, message: str, data: Any) -> Loc:
    """Point a cross-reference error from its model at the key it is about."""
    for pattern, template in _MESSAGE_FIELDS:
        match = pattern.match(message)
        if match:
            return _resolve(loc, template.format(*match.groups()), _at(data, loc))
    return loc


def _at(data: Any, loc: Loc) -> Any:
    """The value at `loc` in the constructed data (None if it is not there)."""
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _resolve(loc: Loc, template: str, data: Any) -> Loc:
    """Follow `template` (see _MESSAGE_FIELDS) from `data`, extending `loc` while it resolves."""
    for step in template.split("."):
        match = _PATH_STEP.match(step)
        if match is None:
            return loc
        if match["key"]:
            if not isinstance(data, dict) or match["key"] not in data:
                return loc
            loc, data = (*loc, match["key"]), data[match["key"]]
        if match["value"] is not None:
            index = _last_index(data, match["attr"], match["value"])
            if index is None:
                return loc
            loc, data = (*loc, index), data[index]
    return loc


def _last_index(items: Any, attr: str, value: str) -> int | None:
    """Index of the last item of `items` matching `value` (by `attr` if given)."""
    if not isinstance(items, list):
        return None
    for index in reversed(range(len(items))):
        item = items[index]
        candidate = item.get(attr) if attr and isinstance(item, dict) else item
        if _matches(candidate, value):
            return index
    return None


def _matches(candidate: Any, value: str) -> bool:
    """True if `candidate` is `value`, or is a list holding it."""
    if isinstance(candidate, list):
        return any(str(c) == value for c in candidate)
    return candidate is not None and str(candidate) == value
