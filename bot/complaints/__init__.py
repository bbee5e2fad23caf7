"""Complaints (投诉): filing, routing, working-day deadlines, handling, callback, escalation.

Pure Python: `flow.py` (the citizen's draft), `lifecycle.py` (who may do what,
from which state — the one table every guard asks), `deadlines.py`, `records.py`
(what storage returns), and the service (`service.py`) split by who acts:
`filing.py`, `citizen.py`, `handling.py`, `centre.py`, `notices.py`, sharing
`desk.py`.  The SQL is in `storage/complaints.py`; the Telegram adapter is
`bot/telegram/routers/complaints.py`.
"""
