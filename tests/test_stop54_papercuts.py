"""Stop 54's papercuts, each met running ``digest`` on a configuration of its own.

* ``digest sources`` wrote its counts as "0 failure(s)", "1 failure(s)": read aloud, they are
  "no failures", "1 failure", "3 failures" (``digest.records.plural``, as every other count).
* A port nobody listens on, read by the plain fetch path (one URL source, ``digest add``), was
  "cannot connect to 127.0.0.1:PORT: [Errno 111] Connection refused": the socket's text, where
  the async path and the README say "... : Connection refused".
* A YAML slip was said where PyYAML noticed it, often the line after the one to mend: a key
  without its ':' over the next key, a line indented one space too far ("mapping values are
  not allowed here" at the next line), a quote left open (said where it closes, lines later).
* ``digest serve`` held the ``clock:`` it started with as a setting needing a restart: once the
  file's ``clock:`` was edited, that edit and every later one (a title, a filter) were refused,
  each with an ERROR line.  The archive reads the time from the configuration it took last.
* A photo's caption that is the lede's first sentence, over the lede, was taken as the lede's
  first line: the excerpt read that sentence twice.  One that is the whole first paragraph (a
  feed item's ``<figure>``, a page's caption without its stop) took the lede with it: cleaning
  read the two as a headline printed twice and dropped both, from the stored text too.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from digest.cli import main
from digest.config import load_config
from digest.errors import ConfigError, FetchError
from digest.records import plural
from digest.sources.fetch import FetchConfig, fetch
from tests.support.daemon import free_port, loopback_config, rss
from tests.support.httpd import TestServer


def test_plural_says_none_as_no_when_asked() -> None:
    assert [plural(n, "failure", no=True) for n in (0, 1, 3)] == ["no failures", "1 failure", "3 failures"]
    assert plural(0, "day") == "0 days"  # a count in a row of counts ("0 new, 2 developing") stays a digit


def test_digest_sources_counts_failures_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with TestServer() as srv:
        srv.set("/good.xml", rss("good", range(2)))
        srv.set("/bad.xml", b"\x00 not a feed \x00")
        cfg = str(loopback_config(tmp_path, srv, {"Good": "/good.xml", "Bad": "/bad.xml"}))
        for runs in range(3):
            assert main(["run", "-q", "--config", cfg]) == 1
            capsys.readouterr()  # the digest's paths
            assert main(["sources", "--config", cfg]) == 0
            lines = capsys.readouterr().out.splitlines()
            assert lines[0].startswith("Good: ok, ") and ", no failures; " in lines[0], lines
            failures = "1 failure" if runs == 0 else f"{runs + 1} failures"
            assert lines[1].startswith(f"Bad: failing, last ok never, {failures}; "), lines
        assert main(["sources", "--config", cfg, "--resume", "Good"]) == 0
        assert capsys.readouterr().out.startswith("Good: not paused (ok): nothing to resume")
    assert "(s)" not in capsys.readouterr().out


def test_a_refused_connection_is_one_plain_line_on_every_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # closed: the connection is refused at once
    said = f"cannot connect to 127.0.0.1:{port}: Connection refused"
    with pytest.raises(FetchError) as caught:
        fetch(f"http://127.0.0.1:{port}/feed.xml", config=FetchConfig(allow_hosts=[f"127.0.0.1:{port}"]))
    assert (caught.value.kind, caught.value.problem) == ("connect", said)

    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(f"sources:\n  - name: Coast News\n    url: http://127.0.0.1:{port}/feed.xml\n"
                   f"timezone: UTC\nfetch:\n  allow_hosts: ['127.0.0.1:{port}']\n", encoding="utf-8")
    assert main(["run", "-q", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("error:")] == [f"error: Coast News: {said}"], err
    assert main(["sources", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"; last error: {said}")
    assert main(["add", f"http://127.0.0.1:{port}/other.xml", "--config", str(cfg)]) == 2
    assert capsys.readouterr().err.strip() == f"error: add: {said}"


#: A starter-like configuration: each slip below is made on one of its lines.
GOOD = """sources:
  - name: My articles
    path: articles
  - name: Example News
    url: https://news.example.com/feed.xml
timezone: UTC
output_dir: out
data_dir: data
"""


@pytest.mark.parametrize(("old", "new", "said"), [
    # a key without its ':' is mended on its own line; PyYAML said the next one
    ("  - name: My articles", "  - name My articles",
     "2: invalid YAML: mapping values are not allowed here at line 3 (line 2's text runs on into "
     "line 3: a ':' missing on line 2?)"),
    # a line indented too far is the line said; which key it ran into is named
    ("    path: articles", "     path: articles",
     "3: invalid YAML: mapping values are not allowed here (line 3 is indented further than line 2's "
     "key 'name', so it reads as the rest of that key's value)"),
    ("  - name: My articles", "  -name: My articles",  # '-name' is the key: its '- ' lost its space
     "3: invalid YAML: mapping values are not allowed here (line 3 is indented further than line 2's "
     "key '-name', so it reads as the rest of that key's value)"),
    ("data_dir: data", "  data_dir: data",
     "8: invalid YAML: mapping values are not allowed here (line 8 is indented further than line 7's "
     "key 'output_dir', so it reads as the rest of that key's value)"),
    # a one-word list item ran on into a line indented too far: that line is to mend (the
    # stop 54 review: blamed on the item's line as a ':' missing there)
    ("data_dir: data", "data_dir: data\nfetch:\n  allow_hosts:\n    - 127.0.0.1:8080\n      timeout: 10",
     "12: invalid YAML: mapping values are not allowed here (line 12 is indented further than line 11's "
     "item, so it reads as the rest of that item)"),
    # a value begun on the line after its key: the key's own line is named
    ("timezone: UTC", "timezone:\n  Europe/London\n  output: x",
     "8: invalid YAML: mapping values are not allowed here (line 8 is indented further than line 6's "
     "key 'timezone', so it reads as the rest of that key's value)"),
    # a quote left open is said where it opened; PyYAML said where it closed
    ("    path: articles", '    path: "articles\n  - name: "B"',
     "3: invalid YAML: expected <block end>, but found '<scalar>' at line 4 (the quote opened on "
     "line 3 closes on line 4)"),
    # said at their own line already, and still
    ("    path: articles", "   path: articles", "3: invalid YAML: expected <block end>, but found '<block mapping start>'"),
    ("timezone: UTC", "timezone UTC",
     "6: invalid YAML: could not find expected ':' at line 7 (while scanning a simple key from here)"),
])
def test_a_yaml_slip_is_said_at_the_line_to_mend(tmp_path: Path, old: str, new: str, said: str) -> None:
    assert GOOD.count(old) == 1
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(cfg)
    assert str(caught.value) == f"{cfg}:{said}"


def test_digest_serve_takes_an_edited_clock_and_the_edits_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from digest.service import web
    from digest.store.base import open_store
    from tests.support.archive import fill
    from tests.support.config import make_config
    from tests.support.web import site

    monkeypatch.setattr(web, "CONFIG_CHECK", 0.0)  # look at the file at every request
    cfg = make_config(tmp_path, database=str(tmp_path / "digest.sqlite3"), title="First title",
                      clock="2026-03-14T20:00:00Z", write=True)
    assert cfg.config_path is not None
    path = cfg.config_path
    with open_store(cfg.database_url) as store:
        fill(store)  # stories of 13 and 14 March

    def edit(old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1
        path.write_text(text.replace(old, new), encoding="utf-8")

    caplog.set_level(logging.INFO, logger="digest")
    with site(cfg) as archive:  # the time is the configuration's, as `digest serve` runs it
        first = archive.get("/").text
        assert "First title" in first and "2026-03-14" in first
        edit("2026-03-14T20:00:00", "2026-03-13T20:00:00")  # a day back: the 14th is not yet
        assert "2026-03-14" not in archive.get("/").text
        edit("First title", "Second title")
        assert "Second title" in archive.get("/").text
        edit("Second title", "Third title")
        assert "Third title" in archive.get("/").text
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "digest.service.reload"]
    assert [level for level, _ in said] == [logging.INFO] * 3, said
    assert said[0][1].endswith("read again: settings: clock"), said


LEDE = "Heavy rain flooded the harbour district of Port Ellis on Friday morning."
PAGE = f"""<!doctype html>
<html><head><title>Storm floods the harbour district</title>
<meta property="article:published_time" content="2026-11-20T09:00:00Z"></head>
<body><article><h1>Storm floods the harbour district</h1>
<p><img src="harbour.jpg" alt=""><br>{LEDE}</p>
<p>{LEDE} Dozens of families were forced from their homes.</p>
<p>The city council said emergency crews worked through the night to pump water from basements
along Quay Street, where the river rose more than two metres above its usual level.</p>
<p>Residents were moved to the sports hall on Mill Road, which the Red Cross opened as a shelter.</p>
</article></body></html>
"""


def test_a_caption_repeating_the_lede_shows_once_in_the_excerpt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from digest.output.context import excerpt

    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "storm.html").write_text(PAGE, encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Harbor Herald\n    path: articles\ntimezone: UTC\n"
                   "clock: 2026-11-20T20:00:00Z\n", encoding="utf-8")
    assert main(["run", "-q", "--config", str(cfg)]) == 0
    for kind in ("md", "html"):
        digest = (tmp_path / "out" / f"digest-2026-11-20.{kind}").read_text(encoding="utf-8")
        assert digest.count(LEDE) == 1, digest
        assert f"{LEDE} Dozens of families" in digest
    # the caption (the lede's first sentence, or all of it) over the lede, the lede after it
    assert excerpt(f"{LEDE}\n\n{LEDE} More.\n\nThen.") == f"{LEDE} More. Then."
    assert excerpt(f"{LEDE}\n\n{LEDE}\n\nThen.") == f"{LEDE} Then."
    assert excerpt(f"{LEDE}\n\nThen.\n\n{LEDE}") == f"{LEDE} Then. {LEDE}"  # said again later: as written


LEDE_PARAGRAPH = f"{LEDE[:-1]}, forcing dozens of families from their homes."
REST = ("<p>The city council said emergency crews worked through the night to pump water from basements "
        "along Quay Street, where the river rose more than two metres above its usual level.</p>"
        "<p>Residents were moved to the sports hall on Mill Road, which the Red Cross opened as a shelter.</p>")


def test_a_caption_that_is_the_whole_lede_leaves_the_lede_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from html import escape

    from digest.text.clean import clean_text

    item = f"<figure><img src='h.jpg'><figcaption>{LEDE_PARAGRAPH}</figcaption></figure><p>{LEDE_PARAGRAPH}</p>{REST}"
    feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Coast</title><link>https://coast.example/</link>'
            "<description>news</description><item><title>Harbour district under water</title>"
            "<link>https://coast.example/flood</link><pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate>"
            f"<description>{escape(item)}</description></item></channel></rss>")
    # a page whose caption has no stop
    page = (PAGE.split("<p>")[0] + f"<p><img src='h.jpg'></p><p>{LEDE_PARAGRAPH[:-1]}</p><p>{LEDE_PARAGRAPH}</p>"
            f"{REST}</article></body></html>")
    for name, content in (("coast.rss", feed), ("storm.html", page)):
        where = tmp_path / name.split(".")[1]
        (where / "articles").mkdir(parents=True)
        (where / "articles" / name).write_text(content, encoding="utf-8")
        cfg = where / "feeds.yaml"
        cfg.write_text("sources:\n  - name: Harbor Herald\n    path: articles\ntimezone: UTC\n"
                       "clock: 2026-11-20T20:00:00Z\n", encoding="utf-8")
        assert main(["run", "-q", "--config", str(cfg)]) == 0
        digest = (where / "out" / "digest-2026-11-20.md").read_text(encoding="utf-8")
        assert digest.count(LEDE_PARAGRAPH) == 1, digest
        assert f"{LEDE_PARAGRAPH} The city council said" in digest, digest  # the excerpt opens with it
    for text in (f"{LEDE_PARAGRAPH}\n\n{LEDE_PARAGRAPH}\n\nThe council met.",
                 f"{LEDE_PARAGRAPH[:-1]}\n\n{LEDE_PARAGRAPH}\n\nThe council met."):
        assert clean_text(text).text == f"{LEDE_PARAGRAPH}\n\nThe council met."
    # a headline printed twice over the lede still goes, both times
    assert clean_text(f"Harbour under water\n\nHarbour under water\n\n{LEDE_PARAGRAPH}").text == LEDE_PARAGRAPH
    # so does one that is a question or a sentence (the stop 54 review: a question headline
    # twice became the text's first paragraph), and the lede stays
    for head in ("Will Port Ellis council raise taxes again next year?", "Council tax: why your bill is going up again."):
        assert clean_text(f"{head}\n\n{head}\n\n{LEDE_PARAGRAPH}\n\nThe council met.",
                          title="Port Ellis votes for 4.9% council tax rise").text == f"{LEDE_PARAGRAPH}\n\nThe council met."
