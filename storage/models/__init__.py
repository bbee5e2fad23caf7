"""SQLAlchemy 2 models, one module per feature, portable between SQLite and PostgreSQL.

Only portable column types are used (Integer, BigInteger, String, Text, Boolean,
DateTime stored as UTC, JSON, LargeBinary).  Every module is imported here so that
`Base.metadata` — which the migrations compare against — is complete.
"""

from storage.models.access import AuditEntry, Code, Finding, Grant
from storage.models.admin import (
    BroadcastJob,
    BroadcastRecipient,
    PhaseNoticeMark,
    PhaseOverride,
    ReminderMark,
)
from storage.models.bulletins import Bulletin, OutboxUpload
from storage.models.complaints import (
    Complaint,
    ComplaintCohandler,
    ComplaintDraft,
    ComplaintEntry,
)
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
from storage.models.inspections import Inspection
from storage.models.ops import InboxUpdate, Lease
from storage.models.publication import Publication, PublicationNotice, PublicationRequest
from storage.models.rectification import (
    RectificationMeasure,
    RectificationPlan,
    RectificationRating,
    UnitFollower,
)
from storage.models.sanctions import Sanction
from storage.models.scoring import Bonus, Mark, ScoreResult, ScoreRun

__all__ = [
    "Answer",
    "AuditEntry",
    "Base",
    "Bonus",
    "BroadcastJob",
    "BroadcastRecipient",
    "Bulletin",
    "Campaign",
    "Code",
    "Complaint",
    "ComplaintCohandler",
    "ComplaintDraft",
    "ComplaintEntry",
    "Conversation",
    "Finding",
    "Grant",
    "InboxUpdate",
    "Inspection",
    "Lease",
    "Mark",
    "Membership",
    "OutboxUpload",
    "PhaseNoticeMark",
    "PhaseOverride",
    "ProcessedUpdate",
    "Publication",
    "PublicationNotice",
    "PublicationRequest",
    "RectificationMeasure",
    "RectificationPlan",
    "RectificationRating",
    "ReminderMark",
    "Respondent",
    "Sanction",
    "ScoreResult",
    "ScoreRun",
    "Submission",
    "UTCDateTime",
    "Unit",
    "UnitFollower",
]
