"""The exit codes each command may end with, beyond the ones every command has — for the
reference (``docs/reference/commands.md`` shows them under each command).

Every command can exit 0 (done), 1 (unexpected error), 2 (usage or configuration error: a bad
option, an unusable database, home or output path, a confirmation no terminal could give),
129/130/143 (stopped by a signal) and 141 (the reader of its output went away). ``EXTRA`` lists
what else a command means by its exit status. ``tests/docs/test_reference.py`` fails when a
runnable command of the tree has no row here, so adding a command means adding its row.
"""

from __future__ import annotations

from typing import Final

COMMON: Final = (
    (0, "done"),
    (1, "unexpected error"),
    (2, "usage or configuration error"),
    (141, "the reader of the output went away"),
    (130, "stopped by SIGINT (143 SIGTERM, 129 SIGHUP)"),
)

AUTH: Final = (
    3,
    "authorization needs a person: a token missing, expired or revoked, no subscription",
)
LOCK: Final = (4, "another run of the account holds its lock (`--wait SECONDS` waits)")
GUARD: Final = (4, "refused: the deletion guard tripped, or another run holds the lock")
TEMPFAIL: Final = (75, "a temporary failure outlasted the retries: try again later")

EXTRA: Final[dict[str, tuple[tuple[int, str], ...]]] = {
    "accounts add": (),
    "accounts list": (),
    "accounts remove": ((2, "no terminal to ask and no `--yes`"),),
    "auth login": (
        (3, "no sign-in arrived in time, the person declined, or MusicKit could not load"),
    ),
    "auth logout": (),
    "auth set": (
        (
            2,
            "a token that is not what it should be (a key, a mix-up); no terminal and no `--stdin`",
        ),
    ),
    "auth status": ((3, "a token is missing or expired"),),
    "backup": (),
    "backup list": (),
    "backup verify": (
        (1, "the backup is damaged (each problem named)"),
        (2, "PATH is not a backup"),
    ),
    "completion": (),
    "datasette-metadata": (),
    "db check": ((1, "a check failed (integrity, revision or schema drift)"),),
    "db current": (),
    "db upgrade": (),
    "demo": (),
    "doctor": (
        (1, "a check failed for another reason"),
        (2, "a check failed on the configuration"),
        (3, "a person must sign in or renew a token"),
        (75, "the network: try again later"),
    ),
    "emulator serve": ((2, "the `--port` is taken"),),
    "export csv": (),
    "export json": (),
    "export m3u": (),
    "export xspf": (),
    "favourites add": (LOCK,),
    "favourites diff": (),
    "favourites import": (LOCK,),
    "favourites list": (),
    "favourites push": (
        AUTH,
        LOCK,
        (75, "changes Apple did not confirm stay pending, or the retries ran out: try again later"),
    ),
    "favourites remove": (LOCK,),
    "health": (),
    "history": (),
    "import apple-data": (LOCK,),
    "listens export": (),
    "listens fill": (AUTH, LOCK, TEMPFAIL),
    "listens push": (
        (2, "URL is not a ListenBrainz API, or the token file cannot be read"),
        (3, "no token was given, or the server refused it"),
        TEMPFAIL,
    ),
    "local link": (),
    "lost": (),
    "lost restore": (
        (2, "no terminal to ask and no `--yes`"),
        AUTH,
        LOCK,
        TEMPFAIL,
    ),
    "local match": (),
    "local scan": (),
    "local unlink": (),
    "local unmatched": (),
    "notify test": (
        (2, "a notify URL Apprise does not understand, or none is set"),
        (75, "a target could not be reached or refused the message"),
    ),
    "query": ((2, "a writing statement, or a syntax error"),),
    "report": ((2, "a period with bad syntax, two periods, or an unknown `--tz`"),),
    "restore": (
        AUTH,
        (2, "no terminal to ask and no `--yes`"),
        (75, "an incomplete listing or the retries ran out: nothing was written"),
    ),
    "schedule print": (),
    "search": (),
    "server login": (
        (2, "URL is not a Subsonic API"),
        (3, "the server refuses the credentials"),
        TEMPFAIL,
    ),
    "server logout": (),
    "server push": (
        (2, "URL is not a Subsonic API, or the server speaks an incompatible version"),
        (
            3,
            "no password was given, or the server refuses the credentials (Subsonic errors 40, "
            "41, 44, 50, 60)",
        ),
        LOCK,
        TEMPFAIL,
    ),
    "server status": (
        (2, "URL is not a Subsonic API"),
        (3, "the server refuses the credentials"),
        TEMPFAIL,
    ),
    "show playlist": (),
    "show song": (),
    "stats": (),
    "sync": (AUTH, GUARD, TEMPFAIL),
    "top": (),
}


def exit_codes_of(path: str) -> list[tuple[int, str]]:
    """The codes ``amsync PATH`` may end with, in order: the common ones, with what the
    command adds to a code's meaning after a semicolon, and its own."""
    meanings = dict(COMMON)
    for code, text in EXTRA.get(path, ()):
        meanings[code] = f"{meanings[code]}; here also: {text}" if code in meanings else text
    return sorted(meanings.items(), key=lambda item: (item[0] > 100, item[0]))
