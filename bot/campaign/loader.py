"""Load campaign files from `survey_defs/` and report their mistakes by file and line.

A campaign file is edited by hand, usually by evaluator staff rather than
programmers, so every problem is reported as `file:line: field: message`,
pointing at the YAML node that is wrong (or, for a missing key, at the
closest enclosing node that exists).  PyYAML composes the node tree first,
which keeps the line of every key, and the data is then constructed from
that same tree, so the lines always describe what was validated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.campaign.follows import follow_errors
from bot.campaign.locate import Loc, refine
from bot.campaign.schema import Campaign

CAMPAIGN_SUFFIXES: tuple[str, ...] = (".yaml", ".yml")


class CampaignFileError(Exception):
    """A problem in one campaign file, located by line and dotted field path."""

    def __init__(self, path: Path, line: int | None, field: str, message: str) -> None:
        """Record where the problem is; `line` is 1-based, `field` like `components.2.weight`."""
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        """One line: `survey_defs/x.yaml:42: components.2.weight: <message>`."""
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"

    def __str__(self) -> str:
        """The rendered one-line form."""
        return self.render()


# -- parsing ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Document:
    """A parsed campaign file: the node tree (for lines) and the data built from it."""

    path: Path
    root: yaml.Node | None
    data: Any

    def line_of(self, loc: Loc) -> int | None:
        """1-based line of the deepest node along `loc` that exists in the file."""
        if self.root is None:
            return None
        node, line = self.root, self.root.start_mark.line
        for part in loc:
            step = _child(node, part)
            if step is None:
                break
            key, node = step
            # A mapping value is reported on its key's line: for a nested block that
            # is the line naming it (`questionnaire:`), not the line of its first key.
            line = (key or node).start_mark.line
        return line + 1

    def error(self, loc: Loc, message: str) -> CampaignFileError:
        """A CampaignFileError for the node at `loc`."""
        return CampaignFileError(self.path, self.line_of(loc), _dotted(loc), message)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    """The (key node, value node) that `part` selects under `node`, if present."""
    if isinstance(node, yaml.MappingNode):
        found = None
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                found = (key, value)  # the last duplicate wins, as in the constructed data
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        items: list[yaml.Node] = node.value
        return (None, items[part]) if 0 <= part < len(items) else None
    return None


def _dotted(loc: Loc) -> str:
    """`('components', 2, 'weight')` → `components.2.weight`."""
    return ".".join(str(part) for part in loc)


class _CampaignYamlLoader(yaml.SafeLoader):
    """SafeLoader that leaves impossible dates (`2011-02-30`) as text.

    PyYAML raises a bare ValueError, without a line, for a date-shaped scalar
    that is no real date; kept as text, it reaches validation, which reports it
    at its line along with every other problem in the file.
    """

    def construct_lenient_timestamp(self, node: yaml.ScalarNode) -> Any:
        """The date or datetime `node` denotes, or its text if there is none."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_CampaignYamlLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _CampaignYamlLoader.construct_lenient_timestamp
)


def _parse(path: Path) -> _Document:
    """Read and parse `path`; unreadable files and YAML syntax errors raise CampaignFileError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignFileError(path, None, "", f"cannot read the file: {exc}") from exc
    loader = _CampaignYamlLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(path, exc) from exc
    except yaml.YAMLError as exc:
        raise CampaignFileError(path, None, "", f"YAML error: {exc}") from exc
    finally:
        loader.dispose()
    return _Document(path, root, data)


def _syntax_error(path: Path, exc: yaml.MarkedYAMLError) -> CampaignFileError:
    """Turn PyYAML's multi-line report into one CampaignFileError at the problem's line."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    context = exc.context or ""
    if context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
        # e.g. an unclosed quote: the problem shows at the end, the cause is where it began
        context += f" (line {exc.context_mark.line + 1})"
    parts = [p for p in (context, exc.problem) if p]
    return CampaignFileError(path, line, "", "YAML syntax error: " + ", ".join(parts))


def _duplicate_keys(doc: _Document) -> list[CampaignFileError]:
    """Keys given twice in one mapping, which YAML would resolve silently to the last."""
    if doc.root is None:
        return []
    return [
        CampaignFileError(
            doc.path,
            key.start_mark.line + 1,
            _dotted((*loc, key.value)),
            f"duplicate key {key.value!r} (first given on line {first + 1})",
        )
        for loc, key, first in _walk_duplicates(doc.root, ())
    ]


def _walk_duplicates(node: yaml.Node, loc: Loc) -> Iterator[tuple[Loc, yaml.ScalarNode, int]]:
    """Yield (mapping loc, repeated key node, 0-based line of its first use) under `node`."""
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in first_line:
                    yield loc, key, first_line[key.value]
                first_line.setdefault(key.value, key.start_mark.line)
                yield from _walk_duplicates(value, (*loc, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk_duplicates(item, (*loc, index))


# -- validation errors → file locations ------------------------------------------------

_SCALARS = (str, int, float, bool, dt.date)


def _message(error: ErrorDetails) -> str:
    """A reader-friendly message for one pydantic error."""
    kind, loc = error["type"], error["loc"]
    if kind == "missing":
        return f"required key {loc[-1]!r} is missing" if loc else "required key is missing"
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" if loc else "unknown key"
    if kind == "model_type" and not loc:
        if error.get("input") is None:
            return "the file is empty"
        return "a campaign file must be a mapping of keys (id, name, units, …)"
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if kind != "value_error" and (value is None or isinstance(value, _SCALARS)):
        message += f" (got {value!r})" if isinstance(value, str) else f" (got {value})"
    return message


def _validation_errors(doc: _Document, exc: ValidationError) -> list[CampaignFileError]:
    """Each pydantic error as a CampaignFileError at its line (a missing key: at the
    mapping that lacks it, where `line_of` stops and where the key has to be added)."""
    errors = []
    for error in exc.errors():
        loc: Loc = tuple(error["loc"])
        message = _message(error)
        if error["type"] == "value_error":
            loc = refine(loc, message, doc.data)
        errors.append(doc.error(loc, message))
    return errors


def _check(doc: _Document) -> tuple[Campaign | None, list[CampaignFileError]]:
    """Validate a parsed file: the campaign if it is valid, and every problem in file order."""
    errors = _duplicate_keys(doc)
    try:
        campaign = Campaign.model_validate(doc.data)
    except ValidationError as exc:
        errors += _validation_errors(doc, exc)
        campaign = None
    # Sorted by line so the first error is the first one a reader meets in the file.
    errors.sort(key=lambda e: e.line or 0)
    return (None if errors else campaign), errors


def _load(path: Path) -> tuple[Campaign, _Document]:
    """Parse and validate `path`, raising its first problem."""
    doc = _parse(path)
    campaign, errors = _check(doc)
    if campaign is None:
        raise errors[0]
    return campaign, doc


# -- public API ---------------------------------------------------------------------


def validate_file(path: Path) -> list[CampaignFileError]:
    """Every problem in the campaign file at `path`, in file order; empty if it is valid."""
    try:
        doc = _parse(path)
    except CampaignFileError as exc:
        return [exc]
    campaign, errors = _check(doc)
    if campaign is None or campaign.follows is None:
        return errors
    return follow_errors(campaign, doc, _siblings(path))


def _siblings(path: Path) -> dict[str, Campaign]:
    """The valid campaigns in the files beside `path` (for its `follows`)."""
    found: dict[str, Campaign] = {}
    for other in campaign_files(path.parent):
        with contextlib.suppress(CampaignFileError):  # a broken neighbour is its own report
            campaign = _check(_parse(other))[0] if other != path else None
            found.update({campaign.id: campaign} if campaign else {})
    return found


def load_campaign(path: Path) -> Campaign:
    """Load and validate one campaign file; raise its first CampaignFileError if invalid."""
    return _load(path)[0]


def campaign_files(directory: Path) -> list[Path]:
    """The campaign files (`*.yaml`, `*.yml`) directly in `directory`, sorted by name."""
    if not directory.is_dir():
        raise CampaignFileError(directory, None, "", "campaign directory does not exist")
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in CAMPAIGN_SUFFIXES)


def load_campaigns(directory: Path) -> dict[str, Campaign]:
    """Load every campaign file in `directory`, keyed by campaign id.

    Two files defining the same campaign id are an error naming both files, so
    that a copied file cannot silently replace the campaign it was copied from.
    """
    campaigns: dict[str, Campaign] = {}
    origin: dict[str, Path] = {}
    docs: dict[str, _Document] = {}
    for path in campaign_files(directory):
        campaign, doc = _load(path)
        if campaign.id in campaigns:
            raise doc.error(
                ("id",), f"campaign id {campaign.id!r} is already defined in {origin[campaign.id]}"
            )
        campaigns[campaign.id] = campaign
        origin[campaign.id], docs[campaign.id] = path, doc
    for campaign_id, campaign in campaigns.items():
        errors = follow_errors(campaign, docs[campaign_id], campaigns)
        if errors:
            raise errors[0]
    return campaigns
