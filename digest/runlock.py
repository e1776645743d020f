"""The store's ``run`` lock: one pass over the sources at a time.

``digest run`` holds it for its pass (``App.polling``) and the daemon for each poll round
(``digest.service.pollround``, which skips a round while a run holds it): two or three
concurrent ``digest run`` then give the stories of one (``digest.service.clustering``, "Several
processes on one store").  Several workers (``digest worker``) do not take it: they share the
clustering through the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import StoreError
from .store.base import Store

log = logging.getLogger("digest.app")

#: The store lock held by one pass over the sources (``digest run``, a daemon round).
RUN_LOCK = "run"
#: How long ``digest run`` waits for another process's pass by default (seconds).
RUN_WAIT = 600.0


@contextmanager
def holding_run_lock(store: Store, wait: float = RUN_WAIT) -> Iterator[None]:
    """Hold ``store``'s ``run`` lock for a block.

    Another process's pass (a ``digest run``, a daemon round) is waited for, at most ``wait``
    seconds, with one line when the wait begins; then StoreError.
    """
    deadline = time.monotonic() + wait
    said = False
    while not store.acquire_lock(RUN_LOCK):
        holder = store.lock_holder(RUN_LOCK)
        if time.monotonic() >= deadline:
            raise StoreError(
                f"{store.url}: another digest process (pid {holder}) is still reading the sources "
                f"after {wait:g} s; nothing was done (the next run will read them)"
            )
        if not said:
            log.info("another digest process (pid %s) is reading the sources: waiting for it, "
                     "at most %g s", holder, wait)
            said = True
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
    try:
        yield
    finally:
        store.release_lock(RUN_LOCK)
