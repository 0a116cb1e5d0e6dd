"""Issue 14 item 9 on the command line: ``AMSYNC_MAX_DELETE=500``, ``max_delete = 500`` in
``config.toml`` and ``--max-delete 500`` are refused alike (exit 2), each naming its source,
before anything is created; a ``config.toml`` that cannot be read is explained in words."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import invoke


def test_max_delete_500_is_refused_from_every_source_on_the_command_line(home: Path) -> None:
    env = invoke(["sync"], env={"AMSYNC_MAX_DELETE": "500"})
    assert env.exit_code == 2, env.output
    assert "AMSYNC_MAX_DELETE=500 (environment): must be a number from 0 to 100" in env.stderr
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("max_delete = 500\n", encoding="utf-8")
    config = invoke(["sync"])
    assert config.exit_code == 2, config.output
    assert "config.toml key max_delete = 500: must be a number from 0 to 100" in config.stderr
    (home / "config.toml").unlink()
    option = invoke(["sync", "--max-delete", "500"])
    assert option.exit_code == 2, option.output
    assert "--max-delete 500 (option): must be a number from 0 to 100" in option.stderr
    refresh = invoke(["sync", "--refresh-catalog", "-3"])
    assert refresh.exit_code == 2
    assert "--refresh-catalog -3 (option): must be a whole number from 0 to 3650" in refresh.stderr
    for result in (env, config, option, refresh):
        assert result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.output
    assert not (home / "amsync.db").exists(), "a refused setting must not create the database"


def test_config_file_in_a_home_that_is_a_file_is_explained_in_words(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    result = invoke(["--home", str(not_a_folder), "stats"])
    assert result.exit_code == 2
    assert "NotADirectoryError" not in result.stderr
    assert f"{not_a_folder} is a file, not a folder" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
