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
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from tests.support.config import MakeApp

if TYPE_CHECKING:
    from digest.dedup.engine import Doc

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


def _poll() -> list[Doc]:
    from digest.dedup.engine import Doc

    texts = [
        "The Harbour Board said on Monday that the fire at Pier 4 was put out by crews from Leith.",
        "Councillors in Portobello voted to close the Bath Street library branch from June.",
        "The Leith school choir won the Edinburgh festival's junior prize on Saturday evening.",
    ]
    # the third repeats the first's title: the engine reads it as no title (``title_key``)
    titles = ["Harbour fire", "Library vote", "Harbour fire"]
    return [Doc(f"d{i}", t, x, source="Outlet", published=1.7e9 + i) for i, (t, x) in enumerate(zip(titles, texts, strict=True))]


def test_a_poll_told_ahead_is_analysed_once_an_article(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Engine.expect`` analyses a poll's articles to count them under their source; their
    fingerprints take those analyses (``HeldAnalyses``) instead of making them again, but for
    a title the engine reads as no title, whose analysis differs.  Each fingerprint is the one
    made afresh of the title the engine reads and the text, under its idf then."""
    from digest.dedup import terms
    from digest.dedup.engine import Engine
    from digest.dedup.fingerprint import fingerprint

    parts = 0
    real = terms._part

    def counted(*args: Any) -> Any:
        nonlocal parts
        parts += 1
        return real(*args)

    monkeypatch.setattr(terms, "_part", counted)
    docs = _poll()
    engine = Engine()
    engine.expect(docs)
    assert parts == 3 * len(docs)  # title, lede, rest: one analysis each
    for doc, read_title in zip(docs, ["Harbour fire", "Library vote", ""], strict=True):
        fp = engine.fingerprint(doc)
        fresh = fingerprint(read_title, doc.text, engine.idf)
        assert (fp.ids.tolist(), fp.weights.tolist(), fp.words) == (fresh.ids.tolist(), fresh.weights.tolist(), fresh.words)
        assert fp.signature.tolist() == fresh.signature.tolist()
        engine.add(doc, fp)
    # told ahead: one analysis each (3 parts); the other title made once more: 3 more; the
    # module ``fingerprint`` calls of the check: 3 each
    assert parts == 3 * len(docs) + 3 + 3 * len(docs)


def test_held_analyses_are_one_poll_s_and_follow_the_text() -> None:
    """An article told ahead whose text is another when it is fingerprinted is analysed again;
    what one poll's ``expect`` held and was never fingerprinted is dropped at the next."""
    from dataclasses import replace

    from digest.dedup.engine import Engine
    from digest.dedup.fingerprint import fingerprint

    docs = _poll()
    engine = Engine()
    engine.expect(docs[:2])
    changed = replace(docs[0], text=docs[0].text + " Two crews stayed overnight.")
    fp = engine.fingerprint(changed)
    fresh = fingerprint(changed.title, changed.text, engine.idf)
    assert (fp.ids.tolist(), fp.weights.tolist(), fp.words) == (fresh.ids.tolist(), fresh.weights.tolist(), fresh.words)
    engine.add(changed, fp)
    engine.expect(docs[2:])  # d1 never added: its analysis goes
    assert list(engine._ahead._held) == ["d2"]


def test_articles_counted_ahead_and_never_added_are_forgotten_at_the_next_poll() -> None:
    """A poll's article told ahead (``Engine.expect``) and then not added, already taken, was
    kept among the ids counted ahead for the engine's life: one id each, in a daemon for weeks."""
    from digest.dedup.engine import Doc, Engine

    engine = Engine()
    skipped = Doc(id="x1", title="Harbour fire spreads", text="Crews fought the harbour fire all night.", source="Feed")
    engine.expect([skipped])  # told ahead, never added
    engine.expect([Doc(id="x2", title="Council vote", text="The council voted on the budget.", source="Feed")])
    assert "x1" not in engine.state.source_terms._ahead



def test_a_small_outlet_s_developing_story_is_one_story_though_most_of_what_it_wrote(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """``fire.xml`` is a small local outlet's week: five of its seven items follow one wildfire,
    so the fire's names ("Cedar Ridge", "Alder Springs", its chief's) are in more than half of
    what it wrote, as a template's words are.  Its headlines name the fire, a template's do
    not (or in a label its titles repeat): the five are one developing story, the market and
    the library two more.  Without the headline test (``Params.source_titled`` 0) the fire's
    names were no evidence between its items, and the week was several stories."""
    stories = stories_of(tmp_path, make_app, "fire.xml")
    assert sorted(len(s) for s in stories) == [1, 1, 5], stories
    (fire,) = [s for s in stories if len(s) == 5]
    assert all("Cedar Ridge" in t for t in fire)


@pytest.mark.parametrize("titled", ["{}|アルダー新聞", "{}｜アルダー新聞", "{}：アルダー新聞", "【アルダー新聞】{}"])
def test_a_site_s_name_after_a_full_width_bar_is_a_repeated_part(titled: str) -> None:
    """Japanese and Chinese titles set a site's name or a label off with the full-width bar
    or colon, or in ``【】``: "大阪で地震発生｜アルダー新聞".  Cut at ASCII marks only, each
    such title was one part, the site's name in every title outside any repeated part, and
    (``Params.source_titled``) no longer the source's own: its template was evidence between
    any two of its articles, as it is with "|" not."""
    from digest.dedup.sourceterms import SourceTerms, written
    from digest.dedup.terms import analyse

    heads = ["東京で大雨警報", "大阪で地震発生", "京都の祭り中止", "札幌で大雪", "福岡の選挙結果", "名古屋で火災"]
    terms = SourceTerms(recent=64)
    for i, head in enumerate(heads):
        title = titled.format(head)
        terms.count(1, f"d{i}", analyse(title, f"{head}。詳しくはアルダー新聞デジタル版で。")[0], title)
    title = titled.format("横浜で停電")
    idx = analyse(title, "横浜で停電。詳しくはアルダー新聞デジタル版で。")[0]
    mine = terms.own(1, idx, 0.5, 4, 2)
    assert written(mine, title, "", 8) == ["アル", "ルダ", "ダー", "ー新", "新聞"]
    assert mine.size == terms.own(1, idx, 0.5, 4, 0).size  # the titles name nothing the body's template does not


def test_a_title_less_feed_of_one_template_stays_apart(tmp_path: Path, make_app: MakeApp) -> None:
    """``apps.xml`` with no titles (a microblog's posts, a podcast's episodes): each entry is
    headed by its text's opening (``prepare.title_of_text``), which is the template's ("PhotoTrim
    v.2.1.0 Reduced to 50% 360 x 640 ..."), in no part two titles repeat.  Read as headlines,
    the titles named the template's words, they were no longer the source's own
    (``Params.source_titled``), and the seven posts were one story.  A heading made of the text
    is no headline (``sourceterms.made_of_text``): seven stories, as with their titles."""
    import re

    feed = tmp_path / "untitled.xml"
    feed.write_text(re.sub(r"(<entry>\s*)<title>[^<]*</title>", r"\1", (HERE / "apps.xml").read_text(encoding="utf-8")),
                    encoding="utf-8")
    with make_app(tmp_path, f"  - name: Feed\n    path: {feed}\n", WIDE) as app:
        assert not app.run(now=NOW).errors
        stories = app.build_view(NOW.date()).stories
        assert all(s.lead.title[:20] in s.lead.text for s in stories)  # headed by their text
        assert sorted(len((s.lead, *s.also)) for s in stories) == [1] * 7


def test_a_heading_made_of_the_text_s_opening_is_no_headline() -> None:
    """``made_of_text``: whitespace aside, a closing " …" aside; a headline the text does not
    open with is one."""
    from digest.dedup.sourceterms import made_of_text

    assert not made_of_text("Cedar Ridge fire grows", "The Cedar Ridge fire more than doubled in size on Monday.")
    assert made_of_text("A post that runs on past …", "A post that runs  on\npast its first words.")
