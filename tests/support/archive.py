"""A web archive's store filled through the store API: four stories over two days, one hostile,
one with an awkward id, and an older digest (for ``digest serve`` and its browser test)."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.records import Article
from digest.store.base import NewArticle, Store

NOW = datetime(2026, 3, 14, 20, 0, tzinfo=UTC)
HOSTILE = '<script>alert("t")</script> & "quoted" \x07]]> tail'
EVIL_SOURCE = "<img src=x onerror=alert(1)>Evil Outlet"
ODD_ID = "odd/id ?&#x"


def at(day: int, hour: int) -> datetime:
    """``hour`` o'clock UTC on ``day`` March 2026."""
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def article(
    key: str, source: str, title: str, url: str | None, when: datetime, text: str
) -> Article:
    """A clean article published and fetched at ``when``."""
    return Article(
        key=key, source=source, title=title, text=text, url=url, published=when, fetched=when
    )


QUAKE = "A magnitude 5.1 earthquake shook the coast near Opunake on Saturday morning. " * 4


def fill(store: Store) -> None:
    """Four stories over two days, one hostile, one with an awkward id; one older digest."""
    items = [
        NewArticle(article("q1", "Coast News", "Quake shakes Opunake", "https://coast.example/quake", at(14, 8), QUAKE), b"fp", "quake", 0.9),
        NewArticle(article("q2", "Valley Wire", "Opunake quake rattles coast", "https://valley.example/q?id=1&x=2", at(14, 9), QUAKE[:200]), b"fp", "quake", 0.5),
        NewArticle(article("q3", "Hill Post", "Earthquake near Opunake", None, at(14, 10), QUAKE[:150]), b"fp", "quake", 0.4),
        NewArticle(article("h1", EVIL_SOURCE, HOSTILE, "javascript:alert(1)", at(14, 11), "Hostile <b>body</b> text."), b"fp", "hostile", 0.7),
        NewArticle(article("o1", "Odd Times", "A story with an odd id", "https://odd.example/a", at(14, 12), "Odd text."), b"fp", ODD_ID, 0.7),
        NewArticle(article("c1", "Council Weekly", "Council passes budget", "https://council.example/b", at(13, 15), "The council passed its budget."), b"fp", "council", 0.8),
    ]  # fmt: skip
    store.add_articles(items, leads={"quake": "q1"})
    store.record_digest("2026-01-02", "html", None, 5)
