"""``digest explain`` names an article by its link, as the digest shows it (stop 50's review).

A new user copied a story's link from the digest into ``digest explain`` and was told "no such
story or article": explain took an article's key or its entry id only.  Real parts: ``digest
replay`` through the CLI into SQLite on disk, then ``digest explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main
from tests.support.config import make_config
from tests.support.stories import load

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def _replayed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict[str, str]]:
    """A store of four replayed records; returns the configuration and each record's key by id."""
    sources = {"Coast News": FEEDS / "coast.rss", "Valley Wire": FEEDS / "valley.atom"}
    cfg = make_config(tmp_path, sources, write=True).config_path
    assert cfg is not None
    rows = [("md-904", "quake_a1", "Coast News", "06:00", "https://www.coast.example/quake?utm_source=rss"),
            ("vw-17", "quake_a2", "Valley Wire", "07:00", "https://valley.example/quake"),
            ("md-905", "derby", "Coast News", "08:00", "https://coast.example/derby"),
            ("vw-18", "council_b", "Valley Wire", "10:00", "https://coast.example/derby")]  # the same link
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps({"id": rid, "title": load(name).title, "text": load(name).text,
                                        "source": source, "url": url, "published": f"2026-03-06T{at}:00Z"}) + "\n"
                            for rid, name, source, at, url in rows))
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    digest = json.loads((tmp_path / "out" / "digest-2026-03-06.json").read_text())
    shown = {v["id"]: v["url"] for s in digest["stories"] for v in (s["lead"], *s["also"])}
    assert shown["md-904"] == "https://www.coast.example/quake"  # the link as the digest shows it
    keys: dict[str, str] = {}
    for rid, *_ in rows:  # each record's key, as explain by its id names it
        assert main(["explain", "--config", str(cfg), rid, "--json"]) == 0
        keys.update({v["id"]: v["key"] for v in json.loads(capsys.readouterr().out)["versions"]})
    return cfg, keys


def test_explain_takes_the_link_the_digest_shows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg, keys = _replayed(tmp_path, capsys)
    capsys.readouterr()
    # as the digest shows it (tracking left out), and in other spellings: http, no www., tracked
    for link in ("https://www.coast.example/quake", "http://coast.example/quake",
                 "https://coast.example/quake?utm_source=rss"):
        assert main(["explain", "--config", str(cfg), link, "--json"]) == 0, capsys.readouterr().err
        why = json.loads(capsys.readouterr().out)
        assert keys["md-904"] in [v["key"] for v in why["versions"]]
    assert main(["explain", "--config", str(cfg), "https://www.coast.example/quake",
                 "https://valley.example/quake", "--json"]) == 0
    pair = json.loads(capsys.readouterr().out)
    assert {pair["a"]["key"], pair["b"]["key"]} == {keys["md-904"], keys["vw-17"]}
    # one link, two articles: one line naming both keys, each with its source (stop 50's review:
    # the keys alone left the reader to guess whose was whose)
    assert main(["explain", "--config", str(cfg), "https://coast.example/derby"]) == 2
    said = capsys.readouterr()
    assert said.out == "" and said.err.splitlines() == [
        "error: https://coast.example/derby: the link of 2 articles (from 2 sources); name one by its key: "
        f"{keys['md-905']} (Coast News), {keys['vw-18']} (Valley Wire)"]
    # a link no article was read from
    assert main(["explain", "--config", str(cfg), "https://coast.example/nothing"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: https://coast.example/nothing: no story or article has this id or link"]


def test_explain_finds_a_link_whose_host_is_in_other_capitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hosts are case-insensitive (``https://COAST.example/quake`` is the page
    ``https://coast.example/quake``); a path is not (``/QUAKE`` is another page)."""
    cfg, keys = _replayed(tmp_path, capsys)
    capsys.readouterr()
    for link, rid in (("https://WWW.Coast.Example/quake", "md-904"), ("HTTP://VALLEY.EXAMPLE/quake", "vw-17"),
                      ("https://Coast.example/quake?utm_source=rss", "md-904")):
        assert main(["explain", "--config", str(cfg), link, "--json"]) == 0, capsys.readouterr().err
        assert keys[rid] in [v["key"] for v in json.loads(capsys.readouterr().out)["versions"]]
    assert main(["explain", "--config", str(cfg), "https://coast.example/QUAKE"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: https://coast.example/QUAKE: no story or article has this id or link"]


def test_lower_host_keeps_the_rest_as_spelt() -> None:
    from digest.text.identity import lower_host

    assert lower_host("HTTPS://User@NEWS.Example:8080/A/B?Q=1#F") == "https://User@news.example:8080/A/B?Q=1#F"
    assert lower_host("tag:News.example,2026:1") == "tag:News.example,2026:1"


@pytest.mark.scale
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_explain_finds_a_link_on_both_stores(tmp_path: Path, backend: str) -> None:
    """``Store.keys_at`` on SQLite and PostgreSQL (skipped without the server): the link as
    stored, another spelling of it, and a link no article has."""
    from datetime import UTC, datetime

    from digest import explain
    from digest.errors import DigestError
    from tests.test_postgres_text import app_on

    items = [{"id": "a", "url": "https://www.wire.example/crane?utm_source=feed", "title": "Harbour crane collapses",
              "date_published": "2026-11-20T10:00:00Z",
              "content_text": "A harbour crane in Velmora collapsed onto the ferry terminal on Sunday. " * 3}]
    with app_on(tmp_path, backend, items) as app:
        assert app.run(now=datetime(2026, 11, 20, 21, tzinfo=UTC)).new_articles == 1
        key = app.store.keys_of_guid("a")
        assert app.store.keys_at(["https://www.wire.example/crane"]) == key
        assert explain.article(app.store, "http://wire.example/crane?utm_source=x").key == key[0]
        with pytest.raises(DigestError, match="no article has this id or link"):
            explain.article(app.store, "https://wire.example/other")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_explain_finds_a_link_stored_with_capitals_in_its_host(tmp_path: Path, backend: str) -> None:
    """A link is stored as its feed wrote it: ``https://WWW.Wire.Example/Crane`` (an old store,
    or a feed that writes hosts so) was found only when typed so (``keys_at`` looks the link up
    as stored; the spellings tried had the host as typed or in lower case).  Any capitals in
    the host find it now (a real store: SQLite on disk, PostgreSQL when there); the path's
    still tell pages apart."""
    from datetime import UTC, datetime

    from digest import explain
    from digest.errors import DigestError
    from tests.test_postgres_text import app_on

    text = "A harbour crane in Velmora collapsed onto the ferry terminal on Sunday. " * 3
    items = [{"id": "a", "url": "https://WWW.Wire.Example/Crane?utm_source=feed", "title": "Harbour crane collapses",
              "date_published": "2026-11-20T10:00:00Z", "content_text": text}]
    with app_on(tmp_path, backend, items) as app:
        assert app.run(now=datetime(2026, 11, 20, 21, tzinfo=UTC)).new_articles == 1
        [key] = app.store.keys_of_guid("a")
        assert app.store.keys_at(["https://WWW.Wire.Example/Crane"]) == [key]  # stored as written
        for link in ("https://WWW.Wire.Example/Crane", "https://wire.example/Crane",
                     "http://www.WIRE.example/Crane?utm_source=x", "HTTPS://Wire.Example/Crane"):
            assert explain.article(app.store, link).key == key, link
        for other in ("https://wire.example/crane", "https://wire.example/Cran", "https://wire.example/"):
            with pytest.raises(DigestError, match="no article has this id or link"):
                explain.article(app.store, other)


def test_explain_on_the_command_line_finds_a_link_stored_with_capitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same through ``digest replay`` and ``digest explain`` (SQLite on disk): a record
    whose link has capitals in its host, named in lower case."""
    cfg = make_config(tmp_path, {"Coast News": FEEDS / "coast.rss"}, write=True).config_path
    assert cfg is not None
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"id": "md-904", "title": load("quake_a1").title, "text": load("quake_a1").text,
                                "source": "Coast News", "url": "https://News.COAST.example/Quake",
                                "published": "2026-03-06T06:00:00Z"}) + "\n")
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["explain", "--config", str(cfg), "https://news.coast.example/Quake", "--json"]) == 0, \
        capsys.readouterr().err
    assert [v["url"] for v in json.loads(capsys.readouterr().out)["versions"]] == ["https://News.COAST.example/Quake"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_explain_finds_a_link_that_ends_at_its_host_stored_with_capitals(tmp_path: Path, backend: str) -> None:
    """A link that ends at its host ("https://WIRE.Example", a site's front page as an item's
    link) has nothing after its host to look it up by (``Store.links_ending``'s tails): typed
    in lower case it was "no article has this id or link" on either store.  Another link of
    its length, another host, is not it."""
    from datetime import UTC, datetime

    from digest import explain
    from digest.errors import DigestError
    from tests.test_postgres_text import app_on

    text = "A harbour crane in Velmora collapsed onto the ferry terminal on Sunday. "
    items = [{"id": "a", "url": "https://WIRE.Example", "title": "Harbour crane collapses",
              "date_published": "2026-11-20T10:00:00Z", "content_text": text * 3},
             {"id": "b", "url": "https://WIRE.Exemple", "title": "Library fees scrapped",
              "date_published": "2026-11-20T11:00:00Z", "content_text": "Northgate libraries scrap late fees. " * 4}]
    with app_on(tmp_path, backend, items) as app:
        assert app.run(now=datetime(2026, 11, 20, 21, tzinfo=UTC)).new_articles == 2
        [key] = app.store.keys_of_guid("a")
        for link in ("https://wire.example", "http://www.Wire.Example", "HTTPS://WIRE.EXAMPLE"):
            assert explain.article(app.store, link).key == key, link
        assert explain.article(app.store, "https://wire.exemple").key == app.store.keys_of_guid("b")[0]
        with pytest.raises(DigestError, match="no article has this id or link"):
            explain.article(app.store, "https://wire.exampl")


def test_explain_finds_a_replayed_link_with_capitals_beside_a_listed_source_s_link_ending_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A record replayed under a source the configuration does not list, its link
    "https://OLD.Example/" (capitals in its host), named in lower case: the listed source's
    front page "https://news.example/" ends with the same "/", and the listed sources' links
    were preferred before the host was compared ("no story or article has this id or
    link").  The host first, then the listed sources' (SQLite on disk, through the CLI)."""
    (tmp_path / "feed.json").write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Wire", "items": [
        {"id": "w1", "url": "https://news.example/", "title": "Harbour crane collapses in Velmora",
         "date_published": "2026-11-20T10:00:00Z",
         "content_text": "A harbour crane in Velmora collapsed onto the ferry terminal on Sunday. " * 3}]}))
    cfg = make_config(tmp_path, {"Wire": tmp_path / "feed.json"}, write=True).config_path
    assert cfg is not None
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps({"id": "old-1", "title": "Library fees scrapped in Northgate", "source": "Old Wire",
                                "text": "Northgate libraries scrap late fees from next month, the council said. " * 3,
                                "url": "https://OLD.Example/", "published": "2026-11-19T06:00:00Z"}) + "\n")
    assert main(["run", "--config", str(cfg)]) == 0
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["explain", "--config", str(cfg), "https://old.example/", "--json"]) == 0, capsys.readouterr().err
    assert [v["url"] for v in json.loads(capsys.readouterr().out)["versions"]] == ["https://OLD.Example/"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def test_explain_finds_an_id_stored_with_capitals_in_its_host(tmp_path: Path, backend: str) -> None:
    """An entry id is stored as its feed wrote it: ``https://WWW.Wire.Example/?p=42`` (a
    WordPress id, not the item's link) was found only when typed so, or with its host in lower
    case when stored so (``keys_of_guid`` looks the id up as stored; stop 52).  Any capitals in
    its host find it now, as a link's do (a real store: SQLite on disk, PostgreSQL when there);
    the rest of it still tells entries apart, and an id that ends at its host is found by its
    length, not by another of that length."""
    from datetime import UTC, datetime

    from digest import explain
    from digest.errors import DigestError
    from tests.test_postgres_text import app_on

    text = "A harbour crane in Velmora collapsed onto the ferry terminal on Sunday. "
    items = [{"id": "https://WWW.Wire.Example/?p=42", "url": "https://wire.example/2026/11/crane",
              "title": "Harbour crane collapses", "date_published": "2026-11-20T10:00:00Z", "content_text": text * 3},
             {"id": "https://FEES.Example", "url": "https://wire.example/2026/11/fees",
              "title": "Library fees scrapped", "date_published": "2026-11-20T11:00:00Z",
              "content_text": "Northgate libraries scrap late fees from next month, the council said. " * 3}]
    with app_on(tmp_path, backend, items) as app:
        assert app.run(now=datetime(2026, 11, 20, 21, tzinfo=UTC)).new_articles == 2
        [crane] = app.store.keys_of_guid("https://WWW.Wire.Example/?p=42")  # stored as written
        [fees] = app.store.keys_of_guid("https://FEES.Example")
        for spelt in ("https://WWW.Wire.Example/?p=42", "https://www.wire.example/?p=42",
                      "http://wire.example/?p=42", "HTTPS://Wire.EXAMPLE/?p=42"):
            assert explain.article(app.store, spelt).key == crane, spelt
        for spelt in ("https://fees.example", "http://www.Fees.Example"):
            assert explain.article(app.store, spelt).key == fees, spelt
        for other in ("https://wire.example/?P=42", "https://wire.example/?p=4", "https://fees.exampl",
                      "https://FEES.Exampla"):
            with pytest.raises(DigestError, match="no article has this id or link"):
                explain.article(app.store, other)
