"""The URL sources of a run fetched side by side before they are read in turn.

Observations
------------
* ``digest run`` reads its sources one after the other; a slow feed made
  every later one wait.  Fetching is I/O, the rest is CPU: fetching a group
  of sources concurrently and reading them in order gives the same stores
  in the time of the slowest fetch, not the sum.

How it works
------------
:func:`prefetch` sends for each URL source the request ``App.poll`` would
send (the stored URL, permanent when one was learnt, and the validators),
through ``fetch.fetch_many`` (bounded per host), and returns the outcomes by
source name for ``poll`` to take.

Special cases
-------------
* Paused sources are not asked, nor those whose server asked to wait past ``now``
  (``Retry-After``: ``App.poll`` says so), nor a feed that timed out run after run until its
  next try (``tracking.slowed``); fewer than two requests are not worth it.
* A source whose own server said 429 (or 503) with ``Retry-After`` at its last read is asked
  after the others (``tracking.asked_last``): a host that said 429 is asked nothing more in
  the run, and its feeds after it in the file, held so, were held again at every run.
* Inside a running event loop (``asyncio.run`` is not possible) nothing is
  fetched ahead: the sources are fetched in turn by ``poll``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from ..config import Config, SourceConfig
from ..errors import FetchError
from ..records import FetchResult
from ..store.base import SourceState, Store
from .fetch import FetchRequest, fetch_many
from .tracking import asked_last, held, slowed


def prefetch(
    store: Store, cfg: Config, sources: list[SourceConfig], now: datetime | None = None
) -> dict[str, FetchResult | FetchError]:
    """The fetch outcomes of the URL sources among ``sources``, by name (empty: fetch in turn)."""
    now = now or datetime.now(UTC)
    todo: list[tuple[str, FetchRequest]] = []
    last: list[bool] = []
    for src in sources:
        if src.url is None:
            continue
        state = store.get_source_state(src.name) or SourceState(src.name, src.url)
        if not state.paused and not held(state, now) and not slowed(state, now):
            url = state.permanent_url or src.url
            todo.append((src.name, FetchRequest(url, state.etag, state.last_modified, src.name)))
            last.append(asked_last(state))
    if len(todo) < 2:
        return {}
    # a feed whose server said 429 last time after the others: its host's other feeds, held for it
    # then, are asked first (requests are sent in this order, a host's few at a time)
    todo = [t for t, _ in sorted(zip(todo, last, strict=True), key=lambda tl: tl[1])]
    try:
        asyncio.get_running_loop()
        return {}
    except RuntimeError:
        pass
    results = asyncio.run(fetch_many([req for _, req in todo], config=cfg.fetch))
    return {name: res for (name, _), res in zip(todo, results, strict=True)}
