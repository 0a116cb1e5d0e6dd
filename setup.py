"""Build-time mapping: Alembic's environment and revisions live in the top-level ``migrations/``
folder (DESIGN §1) and ship inside the wheel as the package ``amsync.migrations``, so that
``pip install`` users can run ``amsync db upgrade``. Everything else is in pyproject.toml."""

from setuptools import find_namespace_packages, setup

MIGRATIONS = ["amsync.migrations"] + [
    f"amsync.migrations.{name}"
    for name in find_namespace_packages(where="migrations", exclude=["__pycache__*"])
]

setup(
    packages=[*find_namespace_packages(include=["amsync", "amsync.*"]), *MIGRATIONS],
    package_dir={"amsync.migrations": "migrations"},
)
