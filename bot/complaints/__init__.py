"""Complaints (投诉): filing, routing, working-day deadlines, handling, callback, escalation.

Pure Python: `flow.py` (the citizen's draft), `deadlines.py`, `records.py` (what
storage returns), `service.py` (everything else).  The SQL is in
`storage/complaints.py`; the Telegram adapter is `bot/telegram/routers/complaints.py`.
"""
