"""Three papercuts of the archive (``digest serve``) left at stop 52's reading (stop 53): a real
server on 127.0.0.1 over a real SQLite file, pages fetched with httpx."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from digest.store.base import NewArticle, open_store
from tests.support.archive import NOW, QUAKE, article, at
from tests.support.config import MakeConfig
from tests.support.web import site


def _rows(page: str) -> list[str]:
    doc = lxml.html.document_fromstring(page)
    return [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@class='versions']/li")]


# -- 3. a lead that is a copy ---------------------------------------------------------------------

def test_a_lead_with_an_earlier_versions_text_is_not_said_to_add_nothing(
    tmp_path: Path, make_config: MakeConfig
) -> None:
    """The lead chosen among copies (Valley Wire's, read after Harbor Herald published the same
    text) read "(lead; copy: adds nothing to the earlier versions)": the story shows it, so it
    is no copy that adds nothing.  It now says whose copy it is; another copy keeps its label."""
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"))
    with open_store(cfg.database_url) as store:
        store.add_articles([
            NewArticle(article("f1", "Harbor Herald", "Quake shakes Opunake", None, at(14, 7), QUAKE), b"fp", "quake", 0.5),
            NewArticle(article("f2", "Valley Wire", "Quake shakes Opunake", "https://valley.example/q", at(14, 8), QUAKE), b"fp", "quake", 0.9),
            NewArticle(article("f3", "Hill Post", "Quake shakes Opunake", None, at(14, 9), QUAKE[:200]), b"fp", "quake", 0.4),
        ], leads={"quake": "f2"})  # fmt: skip
    with site(cfg, clock=lambda: NOW) as s:
        r = s.get("/story/quake")
    assert r.status_code == 200
    rows = _rows(r.text)
    assert rows[0].startswith("Valley Wire (lead; copy of Harbor Herald's earlier version): "), rows
    assert "adds nothing" not in rows[0]
    assert rows[1].startswith("Harbor Herald: "), rows
    assert rows[2].startswith("Hill Post (copy: adds nothing to the earlier versions): "), rows
