"""SQLAlchemy 2 models, one module per feature, portable between SQLite and PostgreSQL.

Only portable column types are used (Integer, BigInteger, String, Text, Boolean,
DateTime stored as UTC, JSON).  Every module is imported here so that
`Base.metadata` — which the migrations compare against — is complete.
"""

from storage.models.access import AuditEntry, Code, Finding, Grant
from storage.models.core import (
    Answer,
    Base,
    Campaign,
    Conversation,
    Membership,
    ProcessedUpdate,
    Respondent,
    Submission,
    Unit,
    UTCDateTime,
)

__all__ = [
    "Answer",
    "AuditEntry",
    "Base",
    "Campaign",
    "Code",
    "Conversation",
    "Finding",
    "Grant",
    "Membership",
    "ProcessedUpdate",
    "Respondent",
    "Submission",
    "UTCDateTime",
    "Unit",
]
