"""Complaints (投诉): filing, routing, working-day deadlines, handling, callback, escalation.

Pure Python: `flow.py` (the citizen's draft), `deadlines.py`, `store.py` (SQL),
`service.py` (everything else).  The Telegram adapter is
`bot/telegram/routers/complaints.py`.
"""
