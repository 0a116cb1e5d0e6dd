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
    """One diagnosis. ``needs_reauth`` marks a FAIL that only a new sign-in can fix (exit 3)."""

    name: str
    status: CheckStatus
    detail: str
    fix: str | None = None
    needs_reauth: bool = False
