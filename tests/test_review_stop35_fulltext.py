"""Review (stop 35), full text and the lead: pages fetched for summary-only feeds, cut
versions, through the real pipeline (a local HTTP server, a SQLite store on disk)."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest

from digest.batch import dedupe_records
from digest.records import Entry
from digest.text.prepare import prepare

STORIES = Path(__file__).parent / "fixtures" / "stories"


def story(name: str) -> tuple[str, list[str]]:
    title, _, body = (STORIES / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return title, [p for p in body.splitlines() if p.strip()]


def paragraphs(paras: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paras)


# -- a cut version is cut whatever the feed adds after the cut mark -----------------------------

#: What feeds put after an excerpt's cut mark: Yoast's (WordPress) footer, a source line.
FOOTERS = [
    '<p>The post <a href="https://t.example/q">Quake</a> appeared first on '
    '<a href="https://t.example">Taranaki Today</a>.</p>',
    "<p>Source: Taranaki Today</p>",
]


@pytest.mark.parametrize("footer", FOOTERS)
def test_an_excerpt_cut_before_a_feeds_footer_is_truncated_and_does_not_lead(footer: str) -> None:
    # The cut mark was looked for in the last line before cleaning only: the footer the
    # cleaner removes hid it, and a cut excerpt (135 words) led a full rewrite (104 words)
    t1, p1 = story("quake_a1")
    t2, p2 = story("quake_a2")
    cut = paragraphs(p1[:-1]) + f"<p>{escape(p1[-1][:-1])} [&#8230;]</p>" + footer
    article = prepare(Entry(source="Taranaki Today", title=t1, url="https://t.example/q", content_html=cut))
    assert article is not None and article.truncated and article.text.endswith("[…]")
    out = dedupe_records([
        {"id": "cut", "title": t1, "html": cut, "source": "Taranaki Today", "published": "2026-11-10T08:00:00Z"},
        {"id": "full", "title": t2, "text": "\n\n".join(p2), "source": "Wire", "published": "2026-11-10T09:00:00Z"},
    ])
    assert out[0]["story"] == out[1]["story"]
    assert [r["id"] for r in out if r["lead"]] == ["full"]


@pytest.mark.parametrize(
    "tail",
    [
        ' &#8230; <a class="more-link" href="https://t.example/q">Continue reading '
        '<span class="screen-reader-text">Magnitude 6.1 earthquake shakes Taranaki</span></a>',
        ' &#8230; <a class="more-link" href="https://t.example/q">Continue reading '
        '<span class="screen-reader-text">&#8220;Magnitude 6.1 earthquake shakes Taranaki&#8221;</span></a>',
    ],
)
def test_wordpress_continue_reading_with_the_title_marks_a_cut(tail: str) -> None:
    # WordPress themes write the more link as "Continue reading" and the post's title (for
    # screen readers): the text ended in the title, and no cut was seen
    title, paras = story("quake_a1")
    html = paragraphs(paras[:-1]) + f"<p>{escape(paras[-1][:-1])}{tail}</p>"
    article = prepare(Entry(source="T", title=title, url="https://t.example/q", content_html=html))
    assert article is not None and article.truncated


def test_a_full_text_ending_in_continue_reading_prose_is_not_cut() -> None:
    title, paras = story("quake_a1")
    html = paragraphs([*paras, "Ms Tukino said residents would continue reading the gauges every hour."])
    article = prepare(Entry(source="T", title=title, url="https://t.example/q", content_html=html))
    assert article is not None and not article.truncated
