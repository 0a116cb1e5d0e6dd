"""Removing an account from one database keeps the tokens of the home (issue 22, item 1).

The issue's recipe: ``cp amsync.db rehearsal.db; amsync --db rehearsal.db accounts remove NAME
--yes`` used to delete NAME's stored tokens, so the real mirror's ``auth status`` said both were
missing and its syncs failed. Tokens belong to the home, which every database used with it
shares; they go only with ``--forget-tokens``, and the question says exactly what goes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amsync.cli import confirmation
from amsync.config.credentials import CredentialStore
from amsync.config.secret import Secret
from tests.support.cli import invoke
from tests.support.mirror_builder import build_sample_mirror

GIVEN = "a-developer-token-you-were-given"
SIGNED_IN = "a-music-user-token"


@pytest.fixture
def rehearsal(tmp_path: Path, home: Path) -> tuple[Path, Path]:
    """The real mirror in the home, its tokens stored there, and a rehearsal copy."""
    home.mkdir(parents=True, exist_ok=True)
    real = home / "amsync.db"
    build_sample_mirror(str(real))
    CredentialStore(home).save(
        "default", developer_token=Secret(GIVEN), music_user_token=Secret(SIGNED_IN)
    )
    copy = tmp_path / "rehearsal.db"
    shutil.copyfile(real, copy)
    return real, copy


def test_removing_the_account_from_a_copy_keeps_the_homes_tokens(
    rehearsal: tuple[Path, Path], home: Path
) -> None:
    real, copy = rehearsal
    credentials = (home / "credentials.json").read_bytes()
    removed = invoke(["--db", str(copy), "accounts", "remove", "default", "--yes"])
    assert removed.exit_code == 0, removed.output
    assert "stored tokens are kept" in removed.stdout, removed.stdout
    assert (home / "credentials.json").read_bytes() == credentials
    status = invoke(["--db", str(real), "auth", "status", "--json"])
    assert status.exit_code == 0, status.output
    assert '"status": "missing"' not in status.stdout
    assert invoke(["--db", str(real), "accounts", "list", "--names"]).stdout.split() == [
        "default"
    ], "the real mirror keeps its account"


def test_forget_tokens_removes_them_and_says_so(rehearsal: tuple[Path, Path], home: Path) -> None:
    _, copy = rehearsal
    removed = invoke(
        ["--db", str(copy), "accounts", "remove", "default", "--forget-tokens", "--yes"]
    )
    assert removed.exit_code == 0, removed.output
    assert "stored tokens deleted" in removed.stdout
    assert CredentialStore(home).load("default").empty
    assert invoke(["auth", "status"]).exit_code == 3


@pytest.mark.parametrize("forget", [False, True], ids=["keep", "forget"])
def test_the_question_says_exactly_what_goes(
    forget: bool,
    rehearsal: tuple[Path, Path],
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, copy = rehearsal
    monkeypatch.setattr(confirmation, "can_ask", lambda: True)
    args = ["--db", str(copy), "accounts", "remove", "default", *(["--forget-tokens"] * forget)]
    answered = invoke(args, input="n\n")
    assert answered.exit_code == 0, answered.output
    question = answered.stderr
    assert "[y/N]" in question
    assert "5 songs, 3 playlists" in question, question
    assert str(copy) in question and str(home / "credentials.json") in question
    if forget:
        assert "its stored tokens in" in question and "every database" in question
    else:
        assert "are kept" in question
    assert not CredentialStore(home).load("default").empty, "nothing goes on a 'no'"
