"""Prepared write statements, built once per dialect.

The group-commit writer batches ops by statement object, so every hot write is
built here exactly once with bind parameters.  Upserts use each dialect's own
ON CONFLICT form (SQLite and PostgreSQL spell it the same way in SQLAlchemy).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    Answer,
    Campaign,
    Conversation,
    Membership,
    ProcessedUpdate,
    Respondent,
    Submission,
    Unit,
)
from storage.writer import Prepared

# Ranks order a batch: parents before children, so foreign keys always hold, and
# within a draft's life create < move < submit, so one unit of work may stage
# several of them and they still apply in that order.
(
    RANK_CAMPAIGN,
    RANK_UNIT,
    RANK_RESPONDENT,
    RANK_MEMBERSHIP,
    RANK_SUBMISSION,
    RANK_DRAFT_MOVE,
    RANK_DRAFT_SUBMIT,
    RANK_ANSWER,
    RANK_CONVERSATION,
    RANK_LOG,
) = range(10)


def _open_draft() -> list[ColumnElement[bool]]:
    """WHERE the draft (still a draft) of respondent `rid` about unit `uid`, component `comp`."""
    s = Submission
    return [
        s.respondent_id == bindparam("rid"),
        s.unit_id == bindparam("uid"),
        s.component == bindparam("comp"),
        s.status == "draft",
    ]


class Statements:
    """Every batched write statement for one dialect."""

    def __init__(self, dialect: str) -> None:
        """Build the statements for `dialect` ("sqlite" or "postgresql")."""
        self.dialect = dialect
        self.upsert_campaign = self._upsert(
            Campaign.__table__,
            ["id"],
            ["name", "year", "definition_sha256", "loaded_at"],
            RANK_CAMPAIGN,
        )
        self.upsert_unit = self._upsert(
            Unit.__table__, ["campaign_id", "code"], ["kind", "name"], RANK_UNIT
        )
        self.upsert_respondent = self._upsert(
            Respondent.__table__,
            ["id"],
            ["locale", "locale_chosen", "last_seen", "active"],
            RANK_RESPONDENT,
        )
        self.set_locale = Prepared(
            update(Respondent)
            .where(Respondent.id == bindparam("rid"))
            .values(locale=bindparam("locale"), locale_chosen=True),
            RANK_RESPONDENT,
            "set_locale",
        )
        self.upsert_membership = self._upsert(
            Membership.__table__,
            ["respondent_id", "campaign_id"],
            ["category", "granted_at"],
            RANK_MEMBERSHIP,
        )
        self.create_draft = self._insert_ignore(Submission.__table__, RANK_SUBMISSION)
        self.move_draft = Prepared(
            update(Submission)
            .where(*_open_draft())
            .values(
                position=bindparam("position"),
                suggestion=bindparam("suggestion"),
                updated_at=bindparam("now"),
            ),
            RANK_DRAFT_MOVE,
            "move_draft",
        )
        self.submit_draft = Prepared(
            update(Submission)
            .where(*_open_draft())
            .values(status="submitted", submitted_at=bindparam("now"), updated_at=bindparam("now")),
            RANK_DRAFT_SUBMIT,
            "submit_draft",
        )
        self.upsert_answer = self._upsert(
            Answer.__table__,
            ["respondent_id", "unit_id", "component", "item"],
            ["level", "answered_at"],
            RANK_ANSWER,
        )
        self.upsert_conversation = self._upsert(
            Conversation.__table__,
            ["respondent_id"],
            ["flow", "step", "data", "updated_at"],
            RANK_CONVERSATION,
        )
        self.mark_update = self._insert_ignore(ProcessedUpdate.__table__, RANK_LOG)

    def _insert(self, table: Table) -> Any:
        module = postgresql if self.dialect == "postgresql" else sqlite
        return module.insert(table)

    def _upsert(self, table: Any, keys: list[str], columns: list[str], rank: int) -> Prepared:
        stmt = self._insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_={c: stmt.excluded[c] for c in columns}
        )
        return Prepared(stmt, rank, f"upsert_{table.name}")

    def _insert_ignore(self, table: Any, rank: int) -> Prepared:
        stmt = self._insert(table).on_conflict_do_nothing()
        return Prepared(stmt, rank, f"insert_ignore_{table.name}")
