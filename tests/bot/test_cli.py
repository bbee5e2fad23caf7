"""The `pingyi` command line: demo, validate, and start-up refusals."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


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


def test_demo_rehearses_the_changzhou_campaign_through_the_bot() -> None:
    run = _pingyi("demo", "--respondents", "40", "--seed", "7")
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert "40 位模拟市民" in out and "40 人完成提交" in out
    assert "is handled" not in run.stderr  # the report is not buried under per-update logs
    # every unit of the questionnaire component has a row, and the totals add up
    for unit in (
        "常州市安全生产监督管理局",
        "武进区安全生产监督管理局",
        "新北区行政服务中心安监窗口",
    ):
        assert unit in out
    total = re.search(r"有效答案 (\d+) 个，不了解 (\d+) 个", out)
    assert total is not None
    assert int(total.group(1)) + int(total.group(2)) == 40 * 5


def test_demo_rehearses_another_campaign_file() -> None:
    run = _pingyi(
        "demo", "--campaign", "survey_defs/nantong-2012-efficiency.yaml", "--respondents", "12"
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "12 人完成提交" in run.stdout


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
        "BOT_TOKEN": "1:x",
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
        "BOT_TOKEN": "1:x",
        "CAMPAIGNS_DIR": "defs",
    }
    run = _pingyi("run", cwd=tmp_path, env=env)
    assert run.returncode == 2
    assert re.fullmatch(r"defs/c\.yaml:\d+: components: .*sum to 95 %.*", run.stderr.strip())
    assert not (tmp_path / "pingyi.db").exists()
