"""Engines for the cue tests: one fed live, one rebuilt from the store's rows (fingerprints
and stories), as a restarted worker rebuilds it; the stories one engine makes of a few docs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from digest.dedup.engine import Doc, Engine, Params
from digest.dedup.fingerprint import Fingerprint


def live_and_rebuilt(docs: Mapping[str, Doc], params: Params, known: Sequence[str], last: str) -> tuple[Engine, Engine]:
    """An engine fed ``known`` then ``last``, and one that restored ``known`` from the first's
    fingerprints and stories before ``last``; each ``add`` of ``last`` must decide alike (asserted)."""
    live = Engine(params)
    for k in known:
        live.add(docs[k])
    rebuilt = Engine(params)
    for k in known:
        rebuilt.restore(docs[k], Fingerprint.from_bytes(live.fingerprint_of(k).to_bytes()), live.story_of(k))
    a, b = live.add(docs[last]), rebuilt.add(docs[last])
    assert (a.story_id, a.moved, a.merged) == (b.story_id, b.moved, b.merged)
    return live, rebuilt


def stories_made(docs: Mapping[str, Doc], order: Sequence[str], params: Params) -> set[frozenset[str]]:
    """``docs`` added in ``order`` to an engine of ``params``: the stories all of ``docs`` end
    in, each as the set of its keys."""
    eng = Engine(params)
    for k in order:
        eng.add(docs[k])
    out: dict[str, set[str]] = {}
    for k in docs:
        out.setdefault(eng.story_of(k), set()).add(k)
    return {frozenset(s) for s in out.values()}
