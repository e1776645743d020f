"""Stop 57, the kill -9 campaign on PostgreSQL: a report's revision read in one poll with a
revision of its outlet's takedown notice of *another*, earlier report (published before this
report, so it never took this one back) was listed nowhere: ``restored`` read the revision as
putting back the report the notice took back, and ``withdrawn`` then let the notice's revision,
ahead of it in the same poll only by key order, take it back again.  Found in
``benchmarks.crash_pg`` (seed 1: ``Gamma|gamma-15`` new in no day); store-agnostic."""

from __future__ import annotations

from datetime import UTC, datetime

from digest.output.entries import restored, withdrawn
from digest.output.news import notices
from digest.store.base import StoredArticle

NOTICE = "This article has been removed."


def _v(key: str, title: str, text: str, published: str, fetched: str, revision_of: str | None = None) -> StoredArticle:
    return StoredArticle(key=key, source="Gamma", url=f"http://x/{key.split('~')[0]}.html", title=title, text=text,
                         published=datetime.fromisoformat(published).replace(tzinfo=UTC),
                         fetched=datetime.fromisoformat(fetched).replace(tzinfo=UTC), author=None, truncated=False,
                         priority=0.0, junk=[], fingerprint=b"", story_id="s", score=None, score_detail=None,
                         revision_of=revision_of)


def test_a_revision_beside_an_earlier_notices_revision_is_not_taken_back() -> None:
    report = "River festival castle. " * 20
    versions = [
        _v("i9a", "Festival hospital river 4", NOTICE, "2026-11-02T02:19", "2026-11-02T05:11"),  # read as a notice
        _v("i70", "River festival castle 15", report, "2026-11-02T04:46", "2026-11-02T05:11"),
        _v("i70~r001", "River festival castle 15", report + "More words here now.", "2026-11-02T04:46",
           "2026-11-02T16:11", revision_of="i70"),
        _v("i9a~r001", "Festival hospital river 4", NOTICE + " Update: been this way.", "2026-11-02T02:19",
           "2026-11-02T16:11", revision_of="i9a"),
    ]
    back = restored(versions)
    assert "i70~r001" not in back  # a revision, nothing put back: the notice never took i70 back
    assert "i70~r001" not in withdrawn(versions, notices(versions), back)
