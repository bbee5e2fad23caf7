"""The `pingyi` command line: demo, validate, and start-up refusals."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot.cli.main import main
from bot.localapi import LocalBotAPI
from storage.migrate import upgrade_to_head

ROOT = Path(__file__).resolve().parents[2]
# Shaped like a real token, so only the check under test can refuse it.
TOKEN = "987654321:AAHk1zTestOnly-Secret_Value0123456789x"
SECRET = TOKEN.partition(":")[2]


def _pingyi(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
def test_demo_rehearses_webhook_delivery_with_two_workers(tmp_path: Path, framework: str) -> None:
    # The whole campaign's report is checked against its database in test_demo_report.py;
    # here the same rehearsal arrives by webhook, claimed by two inbox workers, on each
    # adapter.
    run = _pingyi(
        *("demo", "--webhook", "--workers", "2", "--respondents", "6", "--minimum-sample", "2"),
        *("--out", str(tmp_path), "--framework", framework),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    done = re.search(r"提交问卷 (\d+)/(\d+) 份", run.stdout)
    assert done is not None and done.group(1) == done.group(2), run.stdout
    assert "效能投诉 3 件，办结 3 件" in run.stdout


def test_demo_refuses_a_minimum_sample_below_one() -> None:
    run = _pingyi("demo", "--minimum-sample", "0")
    assert run.returncode == 2
    assert run.stderr.strip() == "demo error: --minimum-sample: must be at least 1"


def test_validate_names_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = ROOT / "survey_defs" / "changzhou-2011-safety.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("weight: 50", "weight: 45"), encoding="utf-8"
    )
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"{re.escape(str(bad))}:\d+: components: .*sum to 95", err), err


def test_run_without_a_token_stops_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    run = _pingyi("run", cwd=tmp_path, env=env)
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "config error: BOT_TOKEN: missing (set it in the environment or .env)"
    )


def test_a_bad_setting_stops_start_up_naming_it(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "DATABASE_URL": "mysql://nope",
    }
    run = _pingyi("run", cwd=tmp_path, env=env)
    assert run.returncode == 2
    assert run.stderr.strip().startswith("config error: DATABASE_URL: must start with")


def test_a_bad_campaign_file_stops_start_up_before_the_database(tmp_path: Path) -> None:
    defs = tmp_path / "defs"
    defs.mkdir()
    good = (ROOT / "survey_defs" / "changzhou-2011-safety.yaml").read_text(encoding="utf-8")
    (defs / "c.yaml").write_text(good.replace("weight: 50", "weight: 45"), encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "CAMPAIGNS_DIR": "defs",
    }
    run = _pingyi("run", cwd=tmp_path, env=env)
    assert run.returncode == 2
    assert re.fullmatch(r"defs/c\.yaml:\d+: components: .*sum to 95 %.*", run.stderr.strip())
    assert not (tmp_path / "pingyi.db").exists()


# -- start-up failures: one line, a non-zero status, never the token -------------------


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """A clean environment for `pingyi run` in `tmp_path` with the real campaign files."""
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "CAMPAIGNS_DIR": str(ROOT / "survey_defs"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pingyi.db'}",
        "BOT_TOKEN": TOKEN,
        **settings,
    }


async def _run_async(env: dict[str, str], *extra: str) -> tuple[int, str, str]:
    """`python -m bot [extra] run` without blocking this loop (a local server may serve it)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *extra,
        "run",
        cwd=env["PYTHONPATH"],
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _one_line(code: int, out: str, err: str, expected_code: int, pattern: str) -> str:
    """Assert the failure shape; return the line."""
    assert code == expected_code, err
    assert SECRET not in out + err and TOKEN not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert re.fullmatch(pattern, lines[0]), lines[0]
    return lines[0]


def _closed_port() -> int:
    """A localhost port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_token_with_a_space_is_refused_without_showing_it(tmp_path: Path) -> None:
    spaced = TOKEN[:20] + " " + TOKEN[20:]
    run = _pingyi("run", cwd=tmp_path, env=_env(tmp_path, BOT_TOKEN=spaced))
    line = _one_line(run.returncode, run.stdout, run.stderr, 2, r"config error: BOT_TOKEN: .*")
    assert "space" in line and TOKEN[25:] not in line and TOKEN[:20] not in line
    assert not (tmp_path / "pingyi.db").exists()


async def test_a_token_telegram_rejects_is_one_line(tmp_path: Path) -> None:
    async def unauthorized(request: web.Request) -> web.Response:
        # What api.telegram.org answers for a well-formed token it does not know.
        body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return web.json_response(body, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        env = _env(tmp_path, TELEGRAM_API_BASE=f"http://127.0.0.1:{port}")
        result = await _run_async(env)
    finally:
        await runner.cleanup()
    _one_line(*result, 1, r"start-up error: BOT_TOKEN: .*401 Unauthorized.*")
    assert not (tmp_path / "pingyi.db").exists()  # nothing touched before Telegram said yes


def test_an_unreachable_bot_api_is_one_line(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    run = _pingyi("run", cwd=tmp_path, env=_env(tmp_path, TELEGRAM_API_BASE=base))
    line = _one_line(
        run.returncode, run.stdout, run.stderr, 1, r"start-up error: TELEGRAM_API_BASE: .*"
    )
    assert base in line


@pytest.mark.parametrize("token_in", ["environment", ".env"])
def test_debug_adds_the_trace_still_without_the_token(tmp_path: Path, token_in: str) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    env = _env(tmp_path, TELEGRAM_API_BASE=base)
    if token_in == ".env":
        del env["BOT_TOKEN"]
        (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\n", encoding="utf-8")
    run = _pingyi("--debug", "run", cwd=tmp_path, env=env)
    assert run.returncode == 1
    assert "Traceback (most recent call last)" in run.stderr
    assert SECRET not in run.stderr + run.stdout
    assert run.stderr.strip().splitlines()[-1].startswith("start-up error: TELEGRAM_API_BASE:")


@pytest.mark.parametrize("problem", ["a file where its folder should be", "not a database"])
async def test_a_sqlite_path_that_cannot_be_opened_is_one_line(
    tmp_path: Path, problem: str
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    target = blocker / "pingyi.db"
    if problem == "not a database":
        target = tmp_path / "junk.db"
        target.write_bytes(b"these bytes are no SQLite database" * 200)
    async with LocalBotAPI(TOKEN) as api:
        env = _env(
            tmp_path, TELEGRAM_API_BASE=api.base_url, DATABASE_URL=f"sqlite+aiosqlite:///{target}"
        )
        result = await _run_async(env)
    line = _one_line(*result, 1, r"start-up error: DATABASE_URL: cannot open the SQLite file .*")
    assert str(target) in line


async def test_a_postgresql_server_refusing_the_connection_is_one_line(tmp_path: Path) -> None:
    port = _closed_port()
    url = f"postgresql+asyncpg://pingyi:hunter2@127.0.0.1:{port}/pingyi"
    async with LocalBotAPI(TOKEN) as api:
        env = _env(tmp_path, TELEGRAM_API_BASE=api.base_url, DATABASE_URL=url)
        result = await _run_async(env)
    where = rf"127\.0\.0\.1:{port}/pingyi"
    line = _one_line(
        *result, 1, rf"start-up error: DATABASE_URL: cannot connect to PostgreSQL at {where}: .*"
    )
    assert "hunter2" not in line


# -- backup and restore --------------------------------------------------------------


def test_backup_then_restore_through_the_command_line(tmp_path: Path) -> None:
    live, copy, new = tmp_path / "live.db", tmp_path / "copy.db", tmp_path / "new.db"
    asyncio.run(upgrade_to_head(f"sqlite+aiosqlite:///{live}"))
    with contextlib.closing(sqlite3.connect(live)) as conn, conn:
        conn.execute(
            "INSERT INTO respondents (id, locale, locale_chosen, first_seen, last_seen, active)"
            " VALUES (42, 'en', 0, '2011-08-01 02:00:00', '2011-08-01 02:00:00', 1)"
        )
    env = _env(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{live}")
    run = _pingyi("backup", "--out", str(copy), cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(rf"{re.escape(str(copy))}: \d+ rows in \d+ tables\n", run.stdout)

    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{new}"
    run = _pingyi("restore", str(copy), cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    with contextlib.closing(sqlite3.connect(new)) as conn:
        assert conn.execute("SELECT id, locale FROM respondents").fetchall() == [(42, "en")]

    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{live}"  # holds data: refused
    run = _pingyi("restore", str(copy), cwd=tmp_path, env=env)
    assert run.returncode == 1
    assert re.fullmatch(r"restore error: .* is not empty .*--force.*", run.stderr.strip())


def test_backup_of_postgresql_names_pg_dump_in_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path, DATABASE_URL="postgresql+asyncpg://pingyi:pw@127.0.0.1:5432/pingyi")
    run = _pingyi("backup", "--out", str(tmp_path / "x"), cwd=tmp_path, env=env)
    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert "pg_dump --format=custom" in line and "pw@" not in line


# -- the raw export ------------------------------------------------------------------


def test_raw_export_needs_the_hash_key(tmp_path: Path) -> None:
    run = _pingyi(
        "export", "--raw", "--out", str(tmp_path / "raw"), cwd=tmp_path, env=_env(tmp_path)
    )
    assert run.returncode == 2
    assert run.stderr.strip().startswith("config error: EXPORT_HASH_KEY: missing")
    assert not (tmp_path / "raw").exists() and not (tmp_path / "pingyi.db").exists()

    env = _env(tmp_path, EXPORT_HASH_KEY="0123456789abcdef0123")
    run = _pingyi("export", "--raw", "--out", str(tmp_path / "raw"), cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    written = tmp_path / "raw" / "answers-raw.csv"
    assert run.stdout.strip() == str(written)
    assert written.read_text(encoding="utf-8-sig").splitlines() == [
        "respondent,campaign,unit,component,item,level,answered_on"
    ]


def test_codes_bound_to_a_units_panel(tmp_path: Path) -> None:
    env = _env(tmp_path)
    args = ("codes", "--category", "mass-rep", "--campaign", "changzhou-2011-safety")
    run = _pingyi(*args, "--unit", "wujin,liyang", "--count", "2", env=env)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["category"], r["unit"]) for r in rows] == [("mass-rep", "wujin,liyang")] * 2
    bad = _pingyi(*args, "--unit", "nowhere", "--count", "1", env=env)
    assert bad.returncode != 0 and "--unit" in bad.stderr
