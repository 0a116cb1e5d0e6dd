"""Unattended runs: a crontab line, systemd service and timer, or a launchd agent.

Every snippet runs ``<amsync> --home H [--db D] [--account A] [--api-url U] -q sync
--backup`` with the absolute path of the amsync executable; the tokens stay where ``amsync
auth`` stored them (``<home>/credentials.json``, mode 0600) and never appear in a snippet.

Further commands (``then``: ``server push URL`` for each server asked for) run after the sync,
only when it succeeded: joined with ``&&`` in cron, as further ``ExecStart=`` lines of the
one-shot service in systemd (which stops at the first failure), through ``/bin/sh -c`` in
launchd. Their passwords too stay in the home (``amsync server login``).
"""

from __future__ import annotations

import plistlib
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from amsync import DOCS_URL

KINDS: Final = ("cron", "systemd", "launchd")
EVERY: Final = ("daily", "hourly")
MINUTE: Final = 17
HOUR: Final = 3
_UNIT_SAFE: Final = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    program: tuple[str, ...]
    arguments: tuple[str, ...]
    account: str
    home: Path
    every: str = "daily"
    then: tuple[tuple[str, ...], ...] = ()  # further commands' arguments, run after a success
    notes: tuple[str, ...] = ()
    """Comment lines for the snippet (e.g. where notifications go)."""

    @property
    def argv(self) -> list[str]:
        return [*self.program, *self.arguments]

    @property
    def commands(self) -> list[list[str]]:
        """Every command line, the sync first."""
        return [self.argv, *([*self.program, *arguments] for arguments in self.then)]

    @property
    def unit_name(self) -> str:
        return "amsync-" + _UNIT_SAFE.sub("_", self.account)


def command_arguments(
    *, home: Path, db: str | None, account: str | None, api_url: str | None
) -> tuple[str, ...]:
    """The global options of the scheduled command (only those set), then ``sync --backup``."""
    args: list[str] = ["--home", str(home)]
    if db is not None:
        args += ["--db", db]
    if account is not None:
        args += ["--account", account]
    if api_url is not None:
        args += ["--api-url", api_url]
    return (*args, "-q", "sync", "--backup")


def push_arguments(
    globals_: tuple[str, ...],
    url: str,
    *,
    user: str | None = None,
    favourites: bool = False,
    ratings: bool = False,
) -> tuple[str, ...]:
    """``server push URL`` with the sync's global options (``command_arguments`` without its
    command); the password comes from ``amsync server login``."""
    head = globals_[: globals_.index("-q") + 1] if "-q" in globals_ else globals_
    args = [*head, "server", "push", url]
    if user is not None:
        args += ["--user", user]
    if favourites:
        args.append("--favourites")
    if ratings:
        args.append("--ratings")
    return tuple(args)


def render_schedule(spec: ScheduleSpec, kind: str) -> str:
    if spec.every not in EVERY:
        raise ValueError(f"every must be one of {EVERY}")
    if kind == "cron":
        return render_cron(spec)
    if kind == "systemd":
        return render_systemd(spec)
    if kind == "launchd":
        return render_launchd(spec)
    raise ValueError(f"kind must be one of {KINDS}")


def render_cron(spec: ScheduleSpec) -> str:
    when = f"{MINUTE} {HOUR} * * *" if spec.every == "daily" else f"{MINUTE} * * * *"
    joined = " && ".join(shlex.join(argv) for argv in spec.commands)
    command = joined.replace("%", "\\%")  # cron turns a bare % into a newline
    return (
        f"# amsync: sync and back up account {spec.account!r} {spec.every}; "
        "add it with `crontab -e`.\n"
        + _push_note(spec)
        + f"# Log: {spec.home / 'logs' / 'amsync.log'}; "
        f"exit codes: {DOCS_URL}reference/exit-codes/\n"
        f"{_hash_comments(spec.notes)}"
        f"{when} {command}\n"
    )


def _push_note(spec: ScheduleSpec) -> str:
    if not spec.then:
        return ""
    urls = ", ".join(arguments[arguments.index("push") + 1] for arguments in spec.then)
    return (
        f"# Then it pushes to {urls}: store each password once with "
        "`amsync server login URL --user USER`.\n"
    )


def _hash_comments(notes: tuple[str, ...]) -> str:
    return "".join(f"# {' '.join(note.split())}\n" for note in notes)


def systemd_quote(argument: str) -> str:
    """One ExecStart argument, quoted for systemd (specifiers ``%`` and ``$`` escaped)."""
    escaped = argument.replace("%", "%%").replace("$", "$$")
    if escaped and not re.search(r"[\s\"'\\;]", escaped):
        return escaped
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def systemd_units(spec: ScheduleSpec) -> dict[str, str]:
    """File name → content of the service and its timer (user units)."""
    exec_start = "\nExecStart=".join(
        " ".join(systemd_quote(a) for a in argv) for argv in spec.commands
    )
    service = (
        "[Unit]\n"
        f"Description=amsync: sync and back up the Apple Music library ({spec.account})\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={exec_start}\n"
        "Nice=10\n"
        "IOSchedulingClass=idle\n"
    )
    calendar = (
        f"*-*-* {HOUR:02d}:{MINUTE:02d}:00" if spec.every == "daily" else f"*-*-* *:{MINUTE:02d}:00"
    )
    timer = (
        "[Unit]\n"
        f"Description=amsync {spec.every} sync and backup ({spec.account})\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={calendar}\n"
        "Persistent=true\n"
        "RandomizedDelaySec=10min\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{spec.unit_name}.service": service, f"{spec.unit_name}.timer": timer}


def render_systemd(spec: ScheduleSpec) -> str:
    parts: list[str] = [_push_note(spec)] if spec.then else []
    if spec.notes:
        parts.append(_hash_comments(spec.notes))
    units = systemd_units(spec)
    for name, content in units.items():
        parts.append(f"# Save as ~/.config/systemd/user/{name}\n{content}")
    timer = next(name for name in units if name.endswith(".timer"))
    parts.append(
        "# Then: systemctl --user daemon-reload && "
        f"systemctl --user enable --now {timer}\n"
        "# (and `loginctl enable-linger $USER` to run while you are logged out)\n"
    )
    return "\n".join(parts)


def launchd_label(spec: ScheduleSpec) -> str:
    return "com.github.amsync." + _UNIT_SAFE.sub("_", spec.account)


def render_launchd(spec: ScheduleSpec) -> str:
    interval: dict[str, int] = {"Minute": MINUTE}
    if spec.every == "daily":
        interval["Hour"] = HOUR
    logs = spec.home / "logs"
    agent = {
        "Label": launchd_label(spec),
        "ProgramArguments": spec.argv
        if not spec.then
        else ["/bin/sh", "-c", " && ".join(shlex.join(argv) for argv in spec.commands)],
        "StartCalendarInterval": interval,
        "StandardOutPath": str(logs / "launchd.out.log"),
        "StandardErrorPath": str(logs / "launchd.err.log"),
        "ProcessType": "Background",
        "LowPriorityIO": True,
        "RunAtLoad": False,
    }
    text = plistlib.dumps(agent, sort_keys=False).decode("utf-8")
    label = launchd_label(spec)
    comment = (
        f"<!-- Save as ~/Library/LaunchAgents/{label}.plist, then: "
        f"launchctl load -w ~/Library/LaunchAgents/{label}.plist -->\n"
    )
    for note in spec.notes:  # "--" may not appear inside an XML comment
        comment += f"<!-- {' '.join(note.replace('--', '- -').split())} -->\n"
    head, _, rest = text.partition("<plist")
    return f"{head}{comment}<plist{rest}"


def split_systemd(text: str) -> dict[str, str]:
    """The unit files in ``render_systemd``'s output (for tests and for scripts)."""
    files: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("# Save as "):
            if current is not None:
                files[current] = "".join(lines).rstrip("\n") + "\n"
            current, lines = line.split("/")[-1].strip(), []
        elif line.startswith("# Then:"):
            break
        elif current is not None:
            lines.append(line)
    if current is not None:
        files[current] = "".join(lines).rstrip("\n") + "\n"
    return files
