"""`pingyi run --workers N`: N worker processes on one PostgreSQL database.

The parent supervises: it starts N children (`pingyi run` with PINGYI_WORKER_INDEX
set), passes SIGINT/SIGTERM on, and starts again a child that died unasked.
With --webhook every child serves the webhook on the same port (SO_REUSEPORT) and
child 0 registers it; on polling child 0 polls (Telegram allows one getUpdates
consumer) and every child takes updates from the inbox.  A systemd unit or
another supervisor may start the children itself instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

from bot.app.config import ConfigError, Settings

WORKER_INDEX = "PINGYI_WORKER_INDEX"
RESTART_AFTER = 1.0  # seconds before a child that died is started again
STOP_GRACE = 40.0  # seconds children get to finish in-flight updates on stop


def worker_index() -> int | None:
    """This process's index among the supervisor's children (None: not supervised)."""
    raw = os.environ.get(WORKER_INDEX)
    return int(raw) if raw and raw.isdigit() else None


def supervise(settings: Settings, workers: int, *, webhook: bool) -> int:
    """Run `workers` children until SIGINT/SIGTERM; returns the exit code."""
    if not settings.database_url.startswith("postgresql"):
        raise ConfigError("error: --workers: several workers need PostgreSQL (DATABASE_URL)")
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    children = {i: _spawn(i, webhook) for i in range(workers)}
    while not stopping:
        time.sleep(0.2)
        for i, child in list(children.items()):
            if child.poll() is not None and not stopping:
                print(f"worker {i} exited ({child.returncode}); starting it again", file=sys.stderr)
                time.sleep(RESTART_AFTER)
                children[i] = _spawn(i, webhook)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


def _spawn(index: int, webhook: bool) -> subprocess.Popen[bytes]:
    """One child: `pingyi run` as worker `index`."""
    args = [sys.executable, "-m", "bot", "run", *(["--webhook"] if webhook else [])]
    return subprocess.Popen(args, env={**os.environ, WORKER_INDEX: str(index)})
