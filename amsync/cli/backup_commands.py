"""``amsync backup [verify|list]`` and ``amsync restore``: backups of the mirror and restores to
Apple Music (``amsync schedule print`` is in ``schedule_commands``)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from amsync.backup import (
    DEFAULT_KEEP,
    VerifyReport,
    damage_of,
    default_backup_dir,
    verify_backup,
)
from amsync.cli.confirmation import confirm, require_confirmation, yes_option
from amsync.cli.context import AppContext, app_context, pass_app
from amsync.cli.json_outcome import JsonOutcome, json_outcome
from amsync.cli.logfile import attach_log_file, begin_run, run_log, run_outcome
from amsync.cli.output import info, info_lines, safe_text, warn
from amsync.cli.tabular import chosen_format, emit_listing, listing_format_option
from amsync.errors import AmsyncError, StoreError

if TYPE_CHECKING:  # imported when used: `amsync backup --help` must stay quick
    from amsync.backup import BackupReport
    from amsync.backup.restore_apply import RestoreReport
    from amsync.backup.restore_plan import RestorePlan, RestoreSelection


# --- unattended running -----------------------------------------------------------------------


def _secrets(app: AppContext) -> list[str]:
    found: list[str] = []
    with contextlib.suppress(AmsyncError, OSError, ValueError):
        tokens = app.tokens()
        for secret in (
            app.settings.developer_token,
            app.settings.music_user_token,
            tokens.user,
            tokens.stored.developer_token,
            tokens.stored.music_user_token,
        ):
            if secret:
                found.append(secret.reveal())
    return found


def start_run_log(app: AppContext, command: str, *, warn_terminal: bool) -> None:
    """Attach ``<home>/logs/amsync.log``, log the run's start (the CLI logs its end) and log
    (and, for commands that build no API client, print) the token-expiry warnings: they never
    fail a run."""
    from amsync.cli.client_factory import token_warnings

    secrets = _secrets(app)
    attach_log_file(app.writable_home(), secrets)
    begin_run(command, app.settings.account)
    from amsync.cli.run_notices import arm

    arm(app, command, secrets)  # issue 24: tell about failures, lost songs, expiring tokens
    messages: list[str] = []
    with contextlib.suppress(AmsyncError, OSError, ValueError):
        messages = token_warnings(app.tokens())
    for message in messages:
        run_log().warning(message)
        if warn_terminal:
            warn(message)


def backup_after_sync(app: AppContext, *, sync_status: str, as_json: bool) -> BackupReport:
    """The backup step of ``amsync sync --backup`` (default folder and rotation). With
    ``--json`` the report goes into the sync's one document (``"backup"``)."""
    run_log().info("sync %s (account %s); backing up", sync_status, app.settings.account)
    report = _take(app, None, DEFAULT_KEEP)
    run_outcome(sync_status, _backup_text(report), append=True)
    if not as_json:
        _render_backup(report, quiet=app.quiet)
    return report


_backups_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Folder of this account's backups [default <home>/backups/<account>].",
)


# --- amsync backup ------------------------------------------------------------------------------


@click.group("backup", invoke_without_command=True)
@_backups_dir_option
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=DEFAULT_KEEP,
    show_default=True,
    metavar="N",
    help="Keep the newest N backups (the newest good one is never removed).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def backup(ctx: click.Context, directory: Path | None, keep: int, as_json: bool) -> None:
    """Take a backup of the mirror: a consistent snapshot and a JSON export.

    Writes DIR/<UTC time>/ with amsync.db (SQLite: the whole database, copied with SQLite's
    online backup API, safe while a sync runs), library.json (this account's library) and
    manifest.json (counts, sha256 checksums, versions), checks it, then keeps the newest N.
    PostgreSQL mirrors get the JSON export and a pg_dump command in the manifest.
    Check a backup with `amsync backup verify PATH`.
    """
    if ctx.invoked_subcommand is not None:
        return
    app = app_context(ctx)
    with json_outcome(as_json) as outcome:
        start_run_log(app, "backup", warn_terminal=True)
        report = _take(app, directory, keep)
        run_outcome("succeeded", _backup_text(report))
        if as_json:
            outcome.emit({"status": "succeeded"} | report.as_dict())
        else:
            _render_backup(report, quiet=app.quiet)


def _take(app: AppContext, directory: Path | None, keep: int) -> BackupReport:
    from amsync.backup import BackupOptions, take_backup

    settings = app.settings
    folder = directory or default_backup_dir(settings.home, settings.account)
    report = take_backup(app.store(create=False), settings.account, BackupOptions(folder, keep))
    run_log().info(
        "backup written to %s (%s); removed %d old backup(s)",
        report.path,
        _counts_text(report.manifest.counts),
        len(report.rotation.removed),
    )
    return report


def _backup_text(report: BackupReport) -> str:
    return f"backup {report.path.name}: {_counts_text(report.manifest.counts)}"


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


def _render_backup(report: BackupReport, *, quiet: bool) -> None:
    info(f"backup written to {safe_text(str(report.path))}", quiet=quiet)
    info(f"  {_counts_text(report.manifest.counts)}", quiet=quiet)
    rotation = report.rotation
    if rotation.removed:
        info(
            f"  removed {len(rotation.removed)} older backup(s): {', '.join(rotation.removed)}",
            quiet=quiet,
        )
    for name in rotation.spared:
        warn(f"kept backup {name} beyond --keep: none of the newer ones verifies")
    for failure in rotation.failed:
        warn(f"could not remove old backup {failure}")
    if report.manifest.pg_dump:
        info(f"  PostgreSQL: for a full dump run: {report.manifest.pg_dump}", quiet=quiet)


@backup.command("verify")
@click.argument("path", type=click.Path(path_type=Path), metavar="PATH")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def verify(app: AppContext, path: Path, as_json: bool) -> None:
    """Check a backup: checksums, the snapshot's integrity, schema revision and counts.

    Exit 0 when the backup is good, 1 when it is damaged, 2 when PATH is not a backup.
    """
    with json_outcome(as_json) as outcome:
        report = verify_backup(path)
        damaged = damage_of(report)
        if as_json:
            status = "damaged" if damaged else "good"
            outcome.emit({"status": status} | report.as_dict(), error=damaged)
        else:
            _render_verify(report, quiet=app.quiet)
    if damaged is not None:
        raise damaged


@backup.command("list")
@_backups_dir_option
@listing_format_option
@pass_app
def list_command(app: AppContext, directory: Path | None, fmt: str | None, as_json: bool) -> None:
    """List this account's backups, newest first, as their manifests describe them.

    Columns: name, created_at, account, schema_revision, songs, albums, artists, playlists,
    tracks, favourites, dislikes, bytes, path, problem (a folder whose manifest cannot be
    read). Check a backup's contents with `amsync backup verify PATH`.
    """
    from amsync.backup.listing import COLUMNS, describe_backups

    settings = app.settings
    folder = directory or default_backup_dir(settings.home, settings.account)
    entries = describe_backups(folder)
    output = chosen_format(fmt, as_json)
    if not entries and output == "table":
        info(f"no backups in {safe_text(str(folder))}", quiet=app.quiet)
        return
    emit_listing(output, COLUMNS, ([e.as_dict()[c] for c in COLUMNS] for e in entries))


def _render_verify(report: VerifyReport, *, quiet: bool) -> None:
    for line in report.checked:
        info(f"  {line}", quiet=quiet)
    if report.ok:
        manifest = report.manifest
        info(
            f"backup {safe_text(str(report.path))} is good (account {manifest.account}, "
            f"{manifest.created_at}, schema {manifest.schema_revision})",
            quiet=quiet,
        )


# --- amsync restore -----------------------------------------------------------------------------


@click.command("restore")
@click.option(
    "--from",
    "source_path",
    required=True,
    type=click.Path(path_type=Path),
    metavar="BACKUP_OR_EXPORT",
    help="A backup folder or a file written by `amsync export json`.",
)
@click.option(
    "--playlists",
    "--playlist",
    "playlists",
    multiple=True,
    metavar="NAME",
    help="Restore this playlist (name or library id; repeatable).",
)
@click.option("--all-playlists", is_flag=True, help="Restore every missing playlist.")
@click.option("--library", is_flag=True, help="Add missing songs and albums back.")
@click.option("--favourites", is_flag=True, help="Set missing favourites again.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@yes_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan and outcome as JSON.")
@pass_app
def restore(
    app: AppContext,
    source_path: Path,
    playlists: tuple[str, ...],
    all_playlists: bool,
    library: bool,
    favourites: bool,
    dry_run: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Recreate on Apple Music what a backup has and the library lacks.

    Compares the backup with a fresh listing of the live library and adds back what is missing:
    catalog songs and albums, playlists with their tracks in order, favourites. Nothing on
    Apple Music is ever deleted or rewritten. Without --library, --playlists, --all-playlists or
    --favourites, everything is restored. The plan is printed first; --dry-run stops there.
    Uploads without a catalog id and songs Apple withdrew cannot be restored; they are listed.
    On a terminal it asks before writing; elsewhere it needs --yes (or --dry-run).
    """
    from amsync.backup.restore_plan import RestoreSelection

    with json_outcome(as_json) as outcome:
        _restore(
            app,
            outcome,
            source_path,
            RestoreSelection.from_flags(
                library=library,
                playlists=playlists,
                all_playlists=all_playlists,
                favourites=favourites,
            ),
            dry_run=dry_run,
            yes=yes,
            as_json=as_json,
        )


def _restore(
    app: AppContext,
    outcome: JsonOutcome,
    source_path: Path,
    selection: RestoreSelection,
    *,
    dry_run: bool,
    yes: bool,
    as_json: bool,
) -> None:
    from amsync.backup.restore import make_restore_plan
    from amsync.backup.restore_apply import RestoreReport, apply_restore
    from amsync.backup.source import read_restore_source
    from amsync.cli.process_exit import run_async

    # What --from names is checked first: a wrong file is the error to show, not the tokens
    # or --yes; then the tokens, before the home or the log is made.
    source = read_restore_source(source_path)
    app.check_credentials()
    start_run_log(app, "restore", warn_terminal=False)
    ask = not dry_run and require_confirmation(
        yes,
        "restore writes to Apple Music and needs a confirmation",
        hint="run it on a terminal to confirm, pass --yes, or see the plan with --dry-run",
    )
    if source.account and source.account != app.settings.account:
        warn(
            f"the backup is of account {source.account!r}; restoring into {app.settings.account!r}"
        )
    client = app.client(remember_rate=not dry_run)
    so_far: list[RestoreReport] = []
    outcome.so_far = lambda: so_far[0].as_dict() if so_far else {"source": source.describe()}

    async def go() -> RestoreReport:
        async with client:
            plan = await make_restore_plan(client, source.document, selection)
            report = RestoreReport(plan=plan, source=source.describe())
            so_far.append(report)
            if not as_json:
                _render_plan(plan, source.describe(), quiet=app.quiet)
            if dry_run:
                report.status = "dry-run"
                return report
            if not plan.empty and ask and not confirm("Write these changes to Apple Music?"):
                report.status = "cancelled"
                return report
            return await apply_restore(plan, client, client, report)

    report = run_async(go())
    run_outcome(
        "partial" if report.failed else report.status,
        f"from {source.path}: plan {plan_summary_text(report.plan)}; {len(report.failed)} failed",
    )
    failed = (
        StoreError(
            f"the restore did not finish: {len(report.failed)} write(s) failed",
            hint="run the same command again: it plans only what is still missing",
        )
        if report.failed
        else None
    )
    outcome.emit(report.as_dict(), error=failed)
    if not as_json:
        _render_outcome(report, quiet=app.quiet)
    if failed is not None:
        raise failed


def plan_summary_text(plan: RestorePlan) -> str:
    summary = plan.summary()
    parts = [f"{n} {name.replace('_', ' ')}" for name, n in summary.items() if n]
    return ", ".join(parts) or "nothing"


def _render_plan(plan: RestorePlan, source: str, *, quiet: bool) -> None:
    info(f"restore from {safe_text(source)}", quiet=quiet)
    present = ", ".join(f"{n} {name}" for name, n in plan.present.items())
    if present:
        info(f"  already in the library: {present}", quiet=quiet)
    if plan.empty:
        info("nothing to restore: the library has everything the backup has", quiet=quiet)
    else:
        info(f"plan: {plan_summary_text(plan)}", quiet=quiet)
    playlists: list[str] = []
    for playlist in plan.playlists:
        where = f" in {playlist.folder!r}" if playlist.parent_folder_id else ""
        star = {1: " (favourite)", -1: " (disliked)"}.get(playlist.rating or 0, "")
        playlists.append(
            f"  create playlist {playlist.name!r}{where} with {len(playlist.tracks)} of "
            f"{playlist.backup_tracks} track(s){star}"
        )
    info_lines(playlists, quiet=quiet)
    info_lines([f"  add {a.kind} {a.name!r} ({a.catalog_id})" for a in plan.additions], quiet=quiet)
    info_lines(
        [
            f"  {'favourite' if f.value == 1 else 'dislike'} {f.item_type} {f.name!r}"
            for f in plan.favourites
        ],
        quiet=quiet,
    )
    if plan.unrestorable:
        info(f"cannot be restored: {len(plan.unrestorable)} item(s)", quiet=quiet)
        info_lines(
            [
                f"  {u.item_type} {u.name!r}"
                + (f" by {u.artist!r}" if u.artist else "")
                + (f" in playlist {u.playlist!r}" if u.playlist else "")
                + f": {u.reason}"
                for u in plan.unrestorable
            ],
            quiet=quiet,
        )
    for note in plan.notes:
        info(f"note: {safe_text(note)}", quiet=quiet)


def _render_outcome(report: RestoreReport, *, quiet: bool) -> None:
    if report.status == "dry-run":
        info("dry run: nothing was written", quiet=quiet)
        return
    if report.status in ("nothing-to-do", "cancelled"):
        if report.status == "cancelled":
            info("cancelled: nothing was written", quiet=quiet)
        return
    added = ", ".join(f"{n} {kind}" for kind, n in report.added.items()) or "nothing"
    info(
        f"restored: added {added}; created {len(report.created)} playlist(s); "
        f"set {report.favourites_set} favourite(s) and {report.dislikes_set} dislike(s)",
        quiet=quiet,
    )
    info("run `amsync sync` to bring the mirror up to date with what was restored", quiet=quiet)
    for line in report.unconfirmed:
        warn(line)
    for line in report.failed:
        warn(f"failed: {line}")
