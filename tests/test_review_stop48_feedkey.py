"""Stop 47's config review, left alone then: ``identity.feed_key`` took ``C.EXAMPLE.`` (the
DNS root's dot) and ``/f%65ed`` (an escaped letter, RFC 3986's unreserved) for feeds other
than their plain spellings, so ``digest add`` and an OPML list could add one feed twice, and
each of its articles was stored and shown twice.  ``//`` in a path stays another path."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.text.identity import feed_key


@pytest.mark.parametrize("a, b", [
    ("https://C.EXAMPLE./feed", "https://c.example/feed"),
    ("http://www.c.example.:8443/feed", "https://c.example:8443/feed/"),
    ("https://c.example/f%65ed", "https://c.example/feed"),
    ("https://c.example/%7Euser/rss", "https://c.example/~user/rss"),
    ("https://c.example/a%2fb", "https://c.example/a%2Fb"),  # an escape kept, its hex either case
    ("http://127.0.0.1.:8080/feed", "http://localhost:8080/feed"),
])
def test_one_feed_however_spelt(a: str, b: str) -> None:
    assert feed_key(a) == feed_key(b)


@pytest.mark.parametrize("a, b", [
    ("https://c.example/a%2Fb", "https://c.example/a/b"),  # an escaped slash is not a slash
    ("https://c.example//feed", "https://c.example/feed"),
    ("https://c.example.org./feed", "https://c.example/feed"),
    ("https://c.example/f%65ed?x=1", "https://c.example/feed"),
])
def test_other_feeds_stay_other(a: str, b: str) -> None:
    assert feed_key(a) != feed_key(b)


def test_an_opml_list_adds_one_feed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Coast\n    url: https://coast.example/feed\n", encoding="utf-8")
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>l</title></head><body>'
        '<outline text="Coast again" xmlUrl="https://COAST.example./f%65ed/"/>'
        '<outline text="Valley" xmlUrl="https://valley.example/feed"/>'
        "</body></opml>", encoding="utf-8")
    assert main(["import-opml", "--config", str(cfg), str(opml)]) == 0
    assert [s.name for s in load_config(cfg).sources] == ["Coast", "Valley"]
    assert "Coast" in capsys.readouterr().out
