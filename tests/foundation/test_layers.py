"""The import rules of DESIGN §1, checked on the source: layers import only downward.

core (errors, domain, config) ← adapters (api, db; never each other) ← use-cases ← cli.
Use-cases reach the API only through Protocols (they never import ``amsync.api``); they may use
the database adapter. The emulator imports nothing of amsync; migrations import the db models.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "amsync"
# Alembic's environment and revisions live in the top-level migrations/ folder and ship as the
# package amsync.migrations (setup.py maps it), so they are checked as that layer.
MIGRATIONS = ROOT / "migrations"
CORE = {"errors", "domain", "config", "__init__"}
ADAPTERS = {"api", "db", "audiotags", "listenbrainz", "subsonic", "notify"}
USE_CASES = {
    "sync",
    "favourites",
    "export",
    "backup",
    "doctor",
    "query",
    "restore",
    "accounts",
    "local",
    "history",
    "listens",
    "servers",
    "lost",
    "report",
}

ALLOWED: dict[str, set[str]] = {
    "errors": {"errors"},
    "domain": {"domain", "errors"},
    "config": CORE,
    "__init__": set(),
    "__main__": {"cli"},
    "api": CORE | {"api"},
    "db": CORE | {"db", "migrations"},
    "audiotags": CORE | {"audiotags"},
    "listenbrainz": CORE | {"listenbrainz"},
    "subsonic": CORE | {"subsonic"},
    "notify": CORE | {"notify"},
    "migrations": {"migrations", "db"},
    "emulator": {"emulator"},
    "cli": None,  # the composition root may import anything  # type: ignore[dict-item]
}
for name in USE_CASES:
    ALLOWED[name] = CORE | {"db"} | USE_CASES


def _top_level(module_path: Path) -> str:
    if module_path.is_relative_to(MIGRATIONS):
        return "migrations"
    relative = module_path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _amsync_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("amsync")]
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("amsync")
        ):
            found.append((node.lineno, node.module))
    return found


def _modules() -> list[Path]:
    found = [*PACKAGE.rglob("*.py"), *MIGRATIONS.rglob("*.py")]
    return sorted(p for p in found if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_allowed_layers(path: Path) -> None:
    layer = _top_level(path)
    assert layer in ALLOWED, f"{layer} is not assigned to a layer in test_layers.py"
    allowed = ALLOWED[layer]
    if allowed is None:
        return
    for line, module in _amsync_imports(path):
        parts = module.split(".")
        target = parts[1] if len(parts) > 1 else "__init__"
        assert target in allowed, (
            f"{path.relative_to(ROOT)}:{line} imports {module}: layer {layer!r} may import "
            f"only {sorted(allowed)}"
        )


def test_emulator_imports_no_third_party_but_httpx_and_cryptography() -> None:
    allowed_roots = {"httpx", "cryptography", "amsync"}
    import sys

    stdlib = set(sys.stdlib_module_names)
    for path in (PACKAGE / "emulator").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root in stdlib or root in allowed_roots, f"{path}: imports {name}"


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    """The checker itself must be able to fail: an adapter importing the other adapter."""
    bad = tmp_path / "bad.py"
    bad.write_text("from amsync.api.client import AppleMusicClient\n", encoding="utf-8")
    imports = _amsync_imports(bad)
    assert imports == [(1, "amsync.api.client")]
    assert "api" not in ALLOWED["db"]


def _third_party_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_report_package_imports_a_charting_library() -> None:
    """The charts are drawn by one module of the report package (Altair and vl-convert),
    imported when a page is made; no other module loads a charting library."""
    charting = {"altair", "vl_convert", "matplotlib", "vega", "plotly"}
    importers = sorted(
        str(path.relative_to(ROOT)) for path in _modules() if charting & _third_party_imports(path)
    )
    assert importers == ["amsync/report/charting.py"], importers


def test_only_the_audiotags_adapter_imports_mutagen() -> None:
    """Tags are read by one adapter; the local-files use-case reaches it through Protocols."""
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in _modules()
        if "mutagen" in _third_party_imports(path)
    )
    assert importers, "the audiotags adapter reads tags with mutagen"
    assert all(p.startswith("amsync/audiotags/") for p in importers), importers


def test_only_the_listenbrainz_adapter_speaks_its_protocol() -> None:
    """The ListenBrainz protocol's endpoints are named in one adapter (issue 25); the listens
    use-case reaches it through ``amsync.domain.listens.ListenSink``."""
    speakers = sorted(
        str(path.relative_to(ROOT))
        for path in _modules()
        if "/1/submit-listens" in path.read_text(encoding="utf-8")
        or "/1/validate-token" in path.read_text(encoding="utf-8")
    )
    assert speakers, "the listenbrainz adapter names the endpoints"
    assert all(p.startswith("amsync/listenbrainz/") for p in speakers), speakers


def test_only_the_subsonic_adapter_speaks_the_subsonic_api() -> None:
    """One adapter talks to Subsonic-compatible servers; ``amsync.servers`` reaches it through
    ``amsync.domain.media_server.MediaServer``, and no Subsonic client library is imported
    elsewhere."""
    speakers = sorted(
        str(path.relative_to(ROOT))
        for path in _modules()
        if "subsonic-response" in path.read_text(encoding="utf-8")
        or {"libsonic", "py_sonic"} & _third_party_imports(path)
    )
    assert speakers, "the subsonic adapter reads the subsonic-response envelope"
    assert all(p.startswith("amsync/subsonic/") for p in speakers), speakers
    for path in (PACKAGE / "servers").rglob("*.py"):
        assert not any(m.startswith("amsync.subsonic") for _, m in _amsync_imports(path)), path


def test_only_the_notify_adapter_imports_apprise() -> None:
    """Notifications go out through one adapter, which imports Apprise lazily."""
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in _modules()
        if "apprise" in _third_party_imports(path)
    )
    assert importers, "the notify adapter sends through Apprise"
    assert all(p.startswith("amsync/notify/") for p in importers), importers
