"""``amsync doctor``: run the diagnostic checks and decide the exit code (DESIGN §5).

The checks themselves live with what they check (``amsync.api.diagnostics``,
``amsync.db.diagnostics``); this use-case runs them in order, turns a check that could not run
into a FAIL, and says what the result means: exit 0 without FAIL, 3 when a FAIL needs a person to
sign in again, 1 otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from amsync.domain.checks import Check, CheckStatus
from amsync.errors import EXIT_AUTH, EXIT_OK, EXIT_UNEXPECTED, AmsyncError

logger = logging.getLogger("amsync.doctor")

CheckSource = Callable[[], Awaitable[Sequence[Check]]]


@dataclass(frozen=True, slots=True)
class DoctorReport:
    checks: tuple[Check, ...]

    @property
    def exit_code(self) -> int:
        failed = [check for check in self.checks if check.status is CheckStatus.FAIL]
        if not failed:
            return EXIT_OK
        if any(check.needs_reauth for check in failed):
            return EXIT_AUTH
        return EXIT_UNEXPECTED

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
                )
            )
        except Exception as exc:  # a diagnosis must survive what it diagnoses
            logger.debug("check %s crashed", name, exc_info=True)
            checks.append(Check(name, CheckStatus.FAIL, f"could not run: {type(exc).__name__}"))
    return DoctorReport(tuple(checks))
