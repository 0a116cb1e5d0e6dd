"""The built wheel carries the migrations (top-level ``migrations/`` in the source tree, the
package ``amsync.migrations`` in the wheel): a `pip install` user can create and upgrade a
database with nothing but the wheel."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.wheel, pytest.mark.slow]


def _revisions_in_source() -> set[str]:
    return {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}


def test_wheel_ships_migrations_and_upgrades_a_database(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("amsync-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("amsync/migrations/versions/")}
    assert _revisions_in_source() <= shipped
    assert "amsync/migrations/env.py" in names
    assert "amsync/migrations/script.py.mako" in names
    assert not any(n.startswith("migrations/") for n in names), "a top-level package leaked"

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    pip = env_dir / "bin" / "pip"
    # dependencies come from the running interpreter's site-packages through a .pth file, so
    # the test needs no index; the wheel itself is installed without them.
    site = next((env_dir / "lib").glob("python*/site-packages"))
    parent_sites = [p for p in sys.path if p.endswith("site-packages")]
    (site / "parent.pth").write_text("\n".join(parent_sites) + "\n", encoding="utf-8")
    subprocess.run(
        [str(pip), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    amsync = env_dir / "bin" / "amsync"
    home = tmp_path / "home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    upgrade = subprocess.run(
        [str(amsync), "--home", str(home), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    current = subprocess.run(
        [str(amsync), "--home", str(home), "db", "current", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert current.returncode == 0, current.stderr
    head = max(p.split("_", 1)[0] for p in _revisions_in_source())
    assert head in current.stdout
    # the installed amsync runs from the venv, not from this checkout
    located = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import amsync.migrations as m; print(m.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert str(env_dir) in located.stdout
