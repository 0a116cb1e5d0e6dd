"""Every top-level command: where it lives and its one-line help, so that ``amsync --help`` and
``amsync --version`` import no command module (and nothing heavy) at all.

Adding a command is one row here; ``tests/cli/test_command_table.py`` checks that each row's
module defines the command and that the help line matches the command's own.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class CommandRow(NamedTuple):
    module: str
    attribute: str
    short_help: str


COMMANDS: Final[dict[str, CommandRow]] = {
    "demo": CommandRow(
        "amsync.cli.demo_command",
        "demo",
        "Sync a generated library from the bundled emulator into a fresh database, and export it.",
    ),
    "sync": CommandRow(
        "amsync.cli.sync_commands", "sync", "Mirror the Apple Music library into the database."
    ),
    "auth": CommandRow(
        "amsync.cli.auth_commands", "auth", "Sign in, store tokens, see their ages, sign out."
    ),
    "doctor": CommandRow(
        "amsync.cli.doctor_commands", "doctor", "Diagnose why authorization or a sync fails."
    ),
    "favourites": CommandRow(
        "amsync.cli.favourites_commands",
        "favourites",
        "Favourites on both sides: list them, change them, compare and push them to Apple Music.",
    ),
    "export": CommandRow(
        "amsync.cli.export_commands",
        "export",
        "Export the mirror as JSON, CSV, or M3U8 or XSPF playlists.",
    ),
    "local": CommandRow(
        "amsync.cli.local_commands",
        "local",
        "Play your playlists from your own music files: scan, match, link, list what is missing.",
    ),
    "query": CommandRow(
        "amsync.cli.query_commands", "query", "Run one read-only SQL statement against the mirror."
    ),
    "search": CommandRow(
        "amsync.cli.query_commands",
        "search_command",
        "Find songs, albums, artists and playlists by words of their names (offline).",
    ),
    "stats": CommandRow(
        "amsync.cli.query_commands",
        "stats",
        "Counts, favourites, database size, storefront and the last runs.",
    ),
    "show": CommandRow("amsync.cli.query_commands", "show", "Show one item of the mirror."),
    "history": CommandRow(
        "amsync.cli.query_commands",
        "history_command",
        "What was added, changed or removed, and which tracks left or joined playlists.",
    ),
    "health": CommandRow(
        "amsync.cli.query_commands",
        "health",
        (
            "Problems in the library: withdrawn songs, lost songs, uploads without catalog "
            "match, duplicates, duplicate playlist entries, empty playlists, missing metadata."
        ),
    ),
    "backup": CommandRow(
        "amsync.cli.backup_commands",
        "backup",
        "Take a backup of the mirror: a consistent snapshot and a JSON export.",
    ),
    "restore": CommandRow(
        "amsync.cli.backup_commands",
        "restore",
        "Recreate on Apple Music what a backup has and the library lacks.",
    ),
    "schedule": CommandRow(
        "amsync.cli.schedule_commands",
        "schedule",
        "Run amsync unattended: print a crontab line, systemd units or a launchd agent.",
    ),
    "accounts": CommandRow(
        "amsync.cli.accounts_commands",
        "accounts",
        "List, add and remove the accounts (mirrored libraries) in the database.",
    ),
    "lost": CommandRow(
        "amsync.cli.lost_commands",
        "lost",
        "Songs Apple took away (or that left otherwise): why, and their replacements.",
    ),
    "notify": CommandRow(
        "amsync.cli.notify_commands",
        "notify",
        "Notifications through Apprise: send a test message.",
    ),
    "import": CommandRow(
        "amsync.cli.listening_commands",
        "import_group",
        "Import data from elsewhere: Apple's privacy export (listening history).",
    ),
    "top": CommandRow(
        "amsync.cli.listening_commands",
        "top",
        "The most played songs, artists or albums, from the imported listening history.",
    ),
    "listens": CommandRow(
        "amsync.cli.listens_commands",
        "listens",
        "Listening history out: fill in artists, push to ListenBrainz-protocol servers, export.",
    ),
    "server": CommandRow(
        "amsync.cli.server_commands",
        "server",
        "Push playlists and favourites into your own Subsonic-compatible server.",
    ),
    "report": CommandRow(
        "amsync.cli.report_command",
        "report",
        "Your year (or month, or all time) in music: a report to open in a browser.",
    ),
    "db": CommandRow(
        "amsync.cli.db_commands", "db", "Show, check and upgrade the database schema."
    ),
    "completion": CommandRow(
        "amsync.cli.completion",
        "completion",
        "Print the shell completion script for bash, zsh or fish.",
    ),
    "datasette-metadata": CommandRow(
        "amsync.cli.datasette_command",
        "datasette_metadata_command",
        "Print a Datasette metadata document: titles, descriptions and canned queries.",
    ),
    "emulator": CommandRow(
        "amsync.cli.emulator_commands", "emulator", "Run the bundled Apple Music API emulator."
    ),
}
