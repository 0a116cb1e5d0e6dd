"""``python -m tests.support.fast_amsync ARGS``: the real ``amsync`` CLI, with one change: the
client's adaptive request rate starts high instead of at Apple-friendly 8 requests/s.

Kill and concurrency tests run many real ``amsync`` processes against a local emulator; the
pacing is the only thing changed (retries, locks, the sync and the apply are the product's).
"""

from __future__ import annotations

from amsync.api.rate import RateSettings
from amsync.cli import client_factory, main

FAST_RATE = RateSettings(initial_rate=500.0, max_rate=2000.0)


def _fast_rate() -> RateSettings:
    return FAST_RATE


if __name__ == "__main__":
    client_factory.RateSettings = _fast_rate  # type: ignore[assignment,misc]
    main()
