"""Whole pages are extracted across cores (``bodies_of``), with the same results as one by one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import digest.text.prepare
from digest.records import Entry
from digest.text.prepare import bodies_of, body_of
from tests.support.config import make_app

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
WIDE = "dedup:\n  window_days: 36500\n"
TOWNS = ["Opunake", "Hawera", "Eltham", "Stratford", "Patea", "Manaia", "Kaponga", "Inglewood", "Waverley"]


def page(i: int, town: str) -> str:
    paras = "".join(
        f"<p>Paragraph {n} about {town}: the council of {town} met on day {i} to decide on "
        f"the new harbour wall, the library hours and the bus route number {i * 7 + n}.</p>"
        for n in range(6)
    )
    return (
        f"<!doctype html><html><head><title>{town} council meets | Coast Times</title></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{town} "
        f"council meets on the harbour wall</h1>{paras}</article><footer>Share this. "
        "Copyright Coast Times.</footer></body></html>"
    )


def entries() -> list[Entry]:
    out = [
        Entry(source="s", title="", url=f"file:///p{i}.html", content_html=page(i, t), is_page=True)
        for i, t in enumerate(TOWNS)
    ]
    out += [
        # a feed entry whose content is a whole page (found by its <html>)
        Entry(source="s", title="T", url="https://x.example/a", content_html=page(99, "Okato")),
        Entry(source="s", title="F", content_html="<p>A fragment, <b>not</b> a page.</p>"),
        Entry(source="s", title="Plain", text="Plain text body of an article."),
        Entry(source="s", title="Summary", summary_html="<p>Only a summary …</p>"),
        # a page with nothing to extract falls back to the entry's text
        Entry(source="s", title="Empty", content_html="<html><body></body></html>", is_page=True,
              text="The text given beside an empty page."),
        Entry(source="s", title="Nothing"),
        Entry(source="s", title="", url="https://y.example/c", is_page=True,
              content_html=(FIXTURES / "clean" / "page_with_comments.html").read_text(encoding="utf-8")),
    ]
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_bodies_of_equals_body_of_in_order(workers: int) -> None:
    batch = entries()
    assert bodies_of(batch, workers=workers) == [body_of(e) for e in batch]


def test_bodies_of_sends_only_the_pages_to_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int | None]] = []
    real = digest.text.prepare.extract_many

    def spy(pages: Any, *, workers: int | None = None) -> Any:
        calls.append((len(pages), workers))
        return real(pages, workers=workers)

    monkeypatch.setattr(digest.text.prepare, "extract_many", spy)
    bodies_of(entries(), workers=2)
    assert calls == [(len(TOWNS) + 3, 2)]  # 9 local pages, the feed page, the empty one, the fixture


def _run(tmp_path: Path, folder: Path, workers: int | None) -> list[tuple[Any, ...]]:
    with make_app(tmp_path, {"Coast Times": folder}, WIDE) as app:
        app.extract_workers = workers
        report = app.run(now=NOW)
        assert report.new_articles == len(TOWNS) and not report.errors
        rows = app.store.articles_since(datetime(1990, 1, 1, tzinfo=UTC))
        return sorted((r.key, r.title, r.text, r.story_id, r.truncated, tuple(r.junk)) for r in rows)


def test_a_folder_of_pages_gives_the_same_articles_in_the_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for i, town in enumerate(TOWNS):
        (folder / f"{i:02d}-{town.lower()}.html").write_text(page(i, town), encoding="utf-8")
    pooled: list[int] = []
    real = digest.text.prepare.extract_many

    def spy(pages: Any, *, workers: int | None = None) -> Any:
        pooled.append(len(pages))
        return real(pages, workers=workers)

    monkeypatch.setattr(digest.text.prepare, "extract_many", spy)
    one = _run(tmp_path / "one", folder, 1)
    pool = _run(tmp_path / "pool", folder, 2)
    assert pooled == [len(TOWNS), len(TOWNS)]
    assert one == pool
    assert len(one) == len(TOWNS) and all(text for _, _, text, *_ in one)
