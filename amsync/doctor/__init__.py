"""``amsync doctor``: run the diagnostic checks and decide the exit code (DESIGN §5).

The checks themselves live with what they check (``amsync.api.diagnostics``,
``amsync.db.diagnostics``); this use-case runs them in order, turns a check that could not run
into a FAIL, and says what the result means: exit 0 without FAIL; else the most pressing FAIL's
code: 3 when a person must sign in again or renew a token, 2 for the configuration (no token, an
unusable key file or database, a certificate not trusted), 75 when the network is in the way
(try again later), 1 otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from amsync.domain.checks import Check, CheckStatus
from amsync.errors import (
    EXIT_AUTH,
    EXIT_OK,
    EXIT_TEMPFAIL,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    AmsyncError,
)

# Which FAIL decides the exit status when several do: a person's action first.
_PRECEDENCE = (EXIT_AUTH, EXIT_USAGE, EXIT_TEMPFAIL, EXIT_UNEXPECTED)


def check_exit_code(check: Check) -> int:
    """The exit status one FAIL calls for."""
    if check.needs_reauth:
        return EXIT_AUTH
    return check.exit_code if check.exit_code in _PRECEDENCE else EXIT_UNEXPECTED


logger = logging.getLogger("amsync.doctor")

CheckSource = Callable[[], Awaitable[Sequence[Check]]]


@dataclass(frozen=True, slots=True)
class DoctorReport:
    checks: tuple[Check, ...]

    @property
    def exit_code(self) -> int:
        codes = {check_exit_code(c) for c in self.checks if c.status is CheckStatus.FAIL}
        return next((code for code in _PRECEDENCE if code in codes), EXIT_OK)

    def as_dict(self) -> dict[str, object]:
        return {
            "exit_code": self.exit_code,
            "checks": [
                {
                    "name": check.name,
                    "status": check.status.value,
                    "detail": check.detail,
                    "fix": check.fix,
                    "needs_reauth": check.needs_reauth,
                    "exit_code": (
                        check_exit_code(check) if check.status is CheckStatus.FAIL else None
                    ),
                }
                for check in self.checks
            ],
        }


async def run_doctor(sources: Sequence[tuple[str, CheckSource]]) -> DoctorReport:
    """Run each named source of checks; one that raises becomes a FAIL named after it."""
    checks: list[Check] = []
    for name, source in sources:
        try:
            checks.extend(await source())
        except AmsyncError as exc:
            checks.append(
                Check(
                    name,
                    CheckStatus.FAIL,
                    exc.message,
                    fix=exc.hint,
                    needs_reauth=exc.exit_code == EXIT_AUTH,
                    exit_code=exc.exit_code,
                )
            )
        except Exception as exc:  # a diagnosis must survive what it diagnoses
            logger.debug("check %s crashed", name, exc_info=True)
            checks.append(Check(name, CheckStatus.FAIL, f"could not run: {type(exc).__name__}"))
    return DoctorReport(tuple(checks))
