"""``amsync schedule print``: the crontab line, systemd units and launchd agent it prints are
well-formed and run this amsync with the current settings, without tokens."""

from __future__ import annotations

import plistlib
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from amsync.backup.schedule import split_systemd, systemd_quote
from tests.backup.conftest import amsync

DEV_TOKEN = "dev-token-that-must-not-appear"
USER_TOKEN = "user-token-that-must-not-appear"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def _print(home: Path, *args: str, **env: str) -> str:
    result = amsync(
        ["--home", str(home), *args],
        AMSYNC_DEVELOPER_TOKEN=DEV_TOKEN,
        AMSYNC_MUSIC_USER_TOKEN=USER_TOKEN,
        **env,
    )
    assert result.exit_code == 0, result.output
    assert DEV_TOKEN not in result.output and USER_TOKEN not in result.output
    return result.stdout


def _expected_program() -> str:
    return str(Path(sys.executable).parent / "amsync")


def test_cron_line_runs_sync_and_backup_with_the_settings(tmp_path: Path) -> None:
    home = tmp_path / "my home"
    db = tmp_path / "mirror.db"
    text = _print(home, "--db", str(db), "--account", "family", "schedule", "print")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(lines) == 1
    fields = lines[0].split(" ", 5)
    assert fields[:5] == ["17", "3", "*", "*", "*"]
    argv = shlex.split(fields[5])
    assert argv[0] == _expected_program() and Path(argv[0]).is_absolute()
    assert argv[1:] == [
        "--home", str(home), "--db", str(db), "--account", "family", "-q", "sync", "--backup",
    ]  # fmt: skip
    hourly = _print(home, "schedule", "print", "--every", "hourly", "--kind", "cron")
    line = next(x for x in hourly.splitlines() if not x.startswith("#"))
    assert line.startswith("17 * * * * ")
    assert "--db" not in line and "--account" not in line  # defaults are not repeated


def test_a_database_password_never_reaches_the_schedule(tmp_path: Path) -> None:
    url = "postgresql://amsync:s3cret-pass@db.example:5432/music"
    text = _print(tmp_path, "--db", url, "schedule", "print")
    assert "s3cret-pass" not in text
    assert "postgresql://amsync@db.example:5432/music" in text


def _write_units(text: str, folder: Path) -> list[Path]:
    units = split_systemd(text)
    assert set(units) == {"amsync-default.service", "amsync-default.timer"}
    paths = []
    for name, content in units.items():
        path = folder / name
        path.write_text(content)
        paths.append(path)
    return paths


def _verify(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    assert SYSTEMD_ANALYZE is not None
    return subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    home = tmp_path / "odd 100% $home"
    text = _print(home, "schedule", "print", "--kind", "systemd")
    assert "systemctl --user enable --now amsync-default.timer" in text
    paths = _write_units(text, tmp_path)
    checked = _verify(paths)
    assert checked.returncode == 0, checked.stderr
    assert "Unknown" not in checked.stderr and "ignoring" not in checked.stderr, checked.stderr
    service = (tmp_path / "amsync-default.service").read_text()
    exec_start = next(x for x in service.splitlines() if x.startswith("ExecStart="))
    assert exec_start.startswith(f"ExecStart={_expected_program()} --home ")
    assert '"' in exec_start and "%%" in exec_start and "$$" in exec_start
    timer = (tmp_path / "amsync-default.timer").read_text()
    assert "OnCalendar=*-*-* 03:17:00" in timer and "Persistent=true" in timer


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
def test_the_systemd_check_can_fail(tmp_path: Path) -> None:
    text = _print(tmp_path, "schedule", "print", "--kind", "systemd", "--every", "hourly")
    paths = _write_units(text.replace("OnCalendar=", "OnCalendar=every-full-moon "), tmp_path)
    assert _verify(paths).returncode != 0


def test_systemd_quoting() -> None:
    assert systemd_quote("/usr/bin/amsync") == "/usr/bin/amsync"
    assert systemd_quote("a b") == '"a b"'
    assert systemd_quote('say "hi"') == '"say \\"hi\\""'
    assert systemd_quote("100%") == "100%%"
    assert systemd_quote("$HOME") == "$$HOME"


def test_launchd_agent_is_a_valid_plist(tmp_path: Path) -> None:
    home = tmp_path / "home"
    text = _print(home, "--account", "family", "schedule", "print", "--kind", "launchd")
    agent = plistlib.loads(text.encode())
    assert agent["Label"] == "com.github.amsync.family"
    assert agent["ProgramArguments"] == [
        _expected_program(), "--home", str(home), "--account", "family", "-q", "sync", "--backup",
    ]  # fmt: skip
    assert agent["StartCalendarInterval"] == {"Minute": 17, "Hour": 3}
    assert agent["StandardErrorPath"] == str(home / "logs" / "launchd.err.log")
    hourly = plistlib.loads(
        _print(home, "schedule", "print", "--kind", "launchd", "--every", "hourly").encode()
    )
    assert hourly["StartCalendarInterval"] == {"Minute": 17}


def test_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = amsync(["--home", str(tmp_path), "schedule", "print", "--kind", "at"])
    assert result.exit_code == 2
