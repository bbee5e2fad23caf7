"""The complaint records the engine reads back from storage (defined in storage, which
imports nothing from bot/; see docs/architecture.md)."""

from __future__ import annotations

from storage.complaint_records import TRACKING_PREFIX as TRACKING_PREFIX
from storage.complaint_records import ComplaintRecord as ComplaintRecord
from storage.complaint_records import Finding as Finding
from storage.complaint_records import new_tracking as new_tracking
from storage.complaint_records import normalize_tracking as normalize_tracking
from storage.complaint_records import tracking_year as tracking_year
