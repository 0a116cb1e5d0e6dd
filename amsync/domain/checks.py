"""Diagnostic checks (``amsync doctor``): each one OK, WARN or FAIL with a one-line fix."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckStatus(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Check:
    """One diagnosis. ``needs_reauth`` marks a FAIL that a person must fix by signing in or
    renewing a token (exit 3); ``exit_code`` the exit status another FAIL calls for (2: the
    configuration, 75: the network, try again later; ``None``: 1)."""

    name: str
    status: CheckStatus
    detail: str
    fix: str | None = None
    needs_reauth: bool = False
    exit_code: int | None = None
