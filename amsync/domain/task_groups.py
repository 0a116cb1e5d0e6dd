"""Running coroutines at once where the first failure must stop the rest.

``asyncio.TaskGroup`` does the stopping but wraps the failure in an ``ExceptionGroup``; callers
here raise typed errors (``ApiError``, ``StoreError``) that the CLI maps to exit codes, so the
first failure is raised as it is."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


async def all_or_none(*coroutines: Coroutine[Any, Any, None]) -> None:
    """Run the coroutines at once; the first failure cancels the others, waits for them to end
    and is raised as it is."""
    tasks = [asyncio.create_task(coroutine) for coroutine in coroutines]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
