"""What the in-process batchers (`identity.ClientLookups`, `updates.UpdateClaims`) share."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any


def settle_after_failure(futures: Iterable[asyncio.Future[Any]], error: BaseException) -> None:
    """Tell every caller still waiting on a failed batch: an error is raised in each of them;
    a cancellation (shutdown) cancels them too."""
    for future in futures:
        if future.done():
            continue
        if isinstance(error, Exception):
            future.set_exception(error)
        else:
            future.cancel()
