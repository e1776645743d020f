"""``benchmarks.feeds_run`` times the pipeline's stages by wrapping the functions the pipeline
calls by name; when one moves (``App._prefetch`` became ``digest.sources.prefetch``; a poll's
recurring lines went to ``digest.revisions``) the benchmark stopped at its first line.  Every
name it wraps must exist where it looks, and be put back when it is done."""

from __future__ import annotations

import digest.app
import digest.revisions
from benchmarks.feeds_run import StageClock


def test_every_stage_the_benchmark_times_is_where_it_looks_and_is_put_back() -> None:
    before = (digest.app.prefetch, digest.app.prepare, digest.revisions.recurring_lines)
    with StageClock() as clock:
        assert digest.app.prefetch is not before[0]  # wrapped
        assert digest.revisions.recurring_lines is not before[2]
        assert clock is not None
    assert (digest.app.prefetch, digest.app.prepare, digest.revisions.recurring_lines) == before
