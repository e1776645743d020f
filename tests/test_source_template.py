"""A site's template in every post of its feed: the posts stay apart, a follow-up still joins.

``tests/fixtures/templated/apps.xml`` is written after a real feed of the feedparser corpus
(``benchmarks.feed_merges``): seven posts of an apps blog, each titled "Apps for the Zen X1
and Zen X2: <app> v.<version>", each body one paragraph of the site's labels around a real
description.  Read by ``digest run`` into a new store, they were two stories: the labels,
capitalised mid-sentence, weighed as names, and the title's prefix as a title
(``digest.dedup.sourceterms``).  ``outlet.xml``
is a local outlet whose titles open with a topic ("Harbour fire: ..."): the fire's report
and its follow-up are one story, the council and school items two more.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from tests.support.config import MakeApp

HERE = Path(__file__).parent / "fixtures" / "templated"
NOW = datetime(2026, 5, 20, 18, 0, tzinfo=UTC)
WIDE = "dedup:\n  window_days: 36500\n"


def stories_of(tmp_path: Path, make_app: MakeApp, name: str) -> list[list[str]]:
    """The stories one ``digest run`` makes of the fixture feed ``name``: each its titles."""
    src = f"  - name: Feed\n    path: {HERE / name}\n"
    with make_app(tmp_path, src, WIDE) as app:
        report = app.run(now=NOW)
        assert not report.errors
        titles: dict[str, list[str]] = {}
        for story in app.build_view(NOW.date()).stories:
            titles[story.story_id] = [v.title for v in (story.lead, *story.also)]
        return list(titles.values())


def test_seven_posts_of_one_template_are_seven_stories(tmp_path: Path, make_app: MakeApp) -> None:
    stories = stories_of(tmp_path, make_app, "apps.xml")
    assert sum(len(s) for s in stories) == 7
    assert len(stories) == 7, stories


def test_an_outlets_follow_up_under_its_topic_prefix_still_joins(tmp_path: Path, make_app: MakeApp) -> None:
    stories = stories_of(tmp_path, make_app, "outlet.xml")
    assert sorted(len(s) for s in stories) == [1, 1, 2], stories
    (fire,) = [s for s in stories if len(s) == 2]
    assert all(t.startswith("Harbour fire: ") for t in fire)


def test_a_source_s_own_words_are_counted_over_its_latest_articles_only() -> None:
    """The counts are of each source's latest ``Params.source_recent`` articles: a term every
    one of its first posts held stops being its own once newer posts no longer hold it (a
    template changed, or a story a small source was all about), and what the counts hold
    stays one window of terms however many articles the source has had."""
    from digest.dedup.sourceterms import SourceTerms
    from digest.dedup.terms import analyse

    def idx(text: str) -> np.ndarray:
        return analyse("", text)[0]

    terms = SourceTerms(recent=6)
    old = idx("Harbour fire crews still at the warehouse on quay seven")
    for i in range(6):
        terms.count(1, f"a{i}", idx(f"Harbour fire crews still at the warehouse on quay seven, day {i}"))
    assert terms.own(1, old, 0.5, 4).size > 0  # the fire is all the source wrote
    for i in range(6):
        terms.count(1, f"b{i}", idx(f"Council budget vote number {i} on the school roof"))
    assert terms.own(1, old, 0.5, 4).size == 0  # it has moved on
    assert terms.held_terms(1) <= sum(idx(f"Council budget vote number {i} on the school roof").size for i in range(6))
