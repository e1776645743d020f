"""Stop 65: four papercuts stop 64 left (docs/evaluation.md, "Stop 64: at the merge" and its
closing note; "Stop 65: papercuts" for what was done), each through the command line or the
library on real parts (SQLite on disk, aiosmtpd on 127.0.0.1, a loopback HTTP server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from digest.cli import main
from digest.config import load_config
from digest.output.digests import digest_view, plan_named
from digest.output.render import render_text
from digest.store.base import open_store
from tests.support.examples import copy_examples
from tests.support.httpd import TestServer
from tests.test_json_schema import problems
from tests.test_mailer import Collector, smtpd
from tests.test_review_stop64_index_earlier import _POST, DAY, _feed, _words, renderings
from tests.test_send_again import ANN, _read_yesterday, _send

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("to", ["ann@@x.example", "Ann ann@x.example", ".ann@x.example"])
def test_send_again_to_an_address_the_configuration_would_refuse_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], to: str
) -> None:
    """``--to`` was not read by the rule ``email.to`` is read by when the file loads: a bad
    address was told "not a recipient of the daily digest", never what is wrong with it."""
    handler = Collector()
    with TestServer() as srv, smtpd(handler) as port:
        cfg_path, day = _read_yesterday(tmp_path, srv, port)
        assert _send(cfg_path, day) == 0
        sent = len(handler.accepted)
        capsys.readouterr()
        assert _send(cfg_path, day, "--again", "--to", to) == 2
        out = capsys.readouterr()
        assert out.err.splitlines() == [f"error: --to: {to!r} is not a mail address (write name@example.com "
                                        "or Ann <ann@example.com>); nothing was sent"] and out.out == ""
        assert len(handler.accepted) == sent  # nothing mailed
        assert _send(cfg_path, day, "--again", "--to", f"Ann <{ANN.upper()}>") == 0  # a good one, as before
        assert [m[1] for m in handler.accepted[sent:]] == [[ANN]]


def test_send_again_to_checks_the_address_before_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The argument's mistake first, as ``send``'s others: before the store is looked for."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources: []\nemail: {host: 127.0.0.1, port: 1, security: none, from: a@example.org, "
                   "to: [b@example.org]}\n")
    assert main(["send", "--config", str(cfg), "--again", "--to", "b@@example.org"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: --to: 'b@@example.org' is not a mail address (write name@example.com or Ann <ann@example.com>); "
        "nothing was sent"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml"]


def _digest(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``digest ARGV`` in its own process, in ``tmp_path``, as a user types it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "digest", *argv], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def _two_wires(tmp_path: Path) -> Path:
    (tmp_path / "a.rss").write_text("<rss version='2.0'><channel><title>A</title></channel></rss>")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Wire A\n    path: a.rss\n  - name: Wire B\n    path: a.rss\n")
    return cfg


def test_remove_takes_a_names_words_split_by_an_option(tmp_path: Path) -> None:
    """``digest remove Wire -c feeds.yaml A`` was "unrecognized arguments: A" (``remove Wire A``
    worked): argparse ends a positional's words at an option."""
    cfg = _two_wires(tmp_path)
    done = _digest(tmp_path, "remove", "Wire", "-c", "feeds.yaml", "A")
    assert done.returncode == 0, done.stderr
    assert "removed 'Wire A'" in done.stdout
    assert cfg.read_text() == "sources:\n  - name: Wire B\n    path: a.rss\n"
    bad = _digest(tmp_path, "remove", "Wire", "-c", "feeds.yaml", "--bogus", "B")  # an unknown option: as before
    assert bad.returncode == 2 and "unrecognized arguments: --bogus B" in bad.stderr
    assert "Wire B" in cfg.read_text()


def test_sources_resume_takes_a_names_words_split_by_an_option(tmp_path: Path) -> None:
    _two_wires(tmp_path)
    assert _digest(tmp_path, "run", "-q", "-c", "feeds.yaml").returncode == 0
    done = _digest(tmp_path, "sources", "--resume", "Wire", "-c", "feeds.yaml", "A")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Wire A: not paused (ok): nothing to resume"
    # given twice, whose word "B" is cannot be told: one clear line
    two = _digest(tmp_path, "sources", "--resume", "Wire", "-c", "feeds.yaml", "B", "--resume", "Wire", "A")
    assert two.returncode == 2 and two.stdout == ""
    assert two.stderr.splitlines()[-1] == (
        "digest sources: error: unrecognized arguments: B (a name's words after another option, with "
        "--resume given 2 times: quote each name, --resume 'Wire A')")


WEEK_DAY = "2026-12-07"  # a Monday: the bundled examples read then are weeks old, all earlier news


def test_a_weeks_per_day_counts_and_the_recorded_count_say_earlier_news_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The day's page says "0 stories ... + 9 earlier"; the week's per-day line said "Monday, 7
    December 2026: 9" (the JSON's ``per_day`` 9 stories) and the day's recorded count was 9."""
    path = copy_examples(tmp_path)
    text = path.read_text().replace("clock: 2026-11-20T20:00:00Z", f"clock: {WEEK_DAY}T20:00:00Z")
    path.write_text(text + "digests:\n  - name: daily\n  - name: week\n    every: week\n    weekday: monday\n")
    assert main(["run", "-q", "--config", str(path)]) == 0
    with open_store(load_config(path).database_url) as store:
        assert store.list_digest_dates() == [(WEEK_DAY, 0)]  # before: 9
        rows = [r for f in ("md", "html", "json") if (r := store.get_digest(WEEK_DAY, f)) is not None]
        assert rows and {r.stories for r in rows} == {0}

    def built(fmt: str) -> str:
        capsys.readouterr()
        assert main(["build", "--config", str(path), "--digest", "week", "--date", WEEK_DAY, "--format", fmt,
                     "-o", "-"]) == 0
        return capsys.readouterr().out

    week = json.loads(built("json"))
    assert week["per_day"][0] == {"date": WEEK_DAY, "stories": 0, "earlier": 9}  # before: {"stories": 9}
    assert all(d == {"date": d["date"], "stories": 0, "earlier": 0} for d in week["per_day"][1:])
    assert problems(week) == []
    day_line = "Monday, 7 December 2026: 0 + 9 earlier · Tuesday, 8 December 2026: 0"  # the week of the 7th
    md = " ".join(built("md").replace("\u00a0", " ").split())
    assert day_line in md and "7 December 2026: 9" not in md
    html = " ".join(lxml.html.document_fromstring(built("html")).text_content().replace("\u00a0", " ").split())
    assert day_line in html
    cfg = load_config(path)
    with open_store(cfg.database_url) as store:
        view = digest_view(store, cfg, date.fromisoformat(WEEK_DAY), plan_named(cfg, "week"))
        mail = render_text(view, tz=cfg.tz, locale=cfg.locale)
    # the mail's text part, of the week that ends on the 7th (as the daemon mails it on the 8th)
    assert "Sunday, 6 December 2026: 0 · Monday, 7 December 2026: 0 + 9 earlier" in " ".join(mail.split())


def _both_titles(text: str) -> bool:
    words = " ".join(text.replace("\u00a0", " ").split())
    return all(words.count(t) == 1 for t in ("Bridge to close", "Harbour bridge: the council's vote"))


def test_a_new_sources_earlier_story_of_two_versions_shows_the_other_title_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its line said "· 2 versions" and showed one title: the blog's second post, merged into the
    story, was in no file, mail or archive page (stop 64 left it)."""
    path = tmp_path / "feeds.yaml"
    path.write_text(f"sources:\n  - name: Blog\n    path: {_feed(tmp_path)}\ntimezone: UTC\nclock: {DAY}T20:00:00Z\n")
    assert main(["run", "-q", "--config", str(path)]) == 0
    md = (tmp_path / "out" / f"digest-{DAY}.md").read_text().replace("\u00a0", " ")
    bridge, = (line for line in md.splitlines() if line.startswith("- [") and "ridge" in line)
    assert " · 2 versions, also: [" in bridge and _both_titles(bridge)
    assert "https://blog.example/bridge-vote" in bridge and "https://blog.example/bridge)" in bridge  # both linked
    html = (tmp_path / "out" / f"digest-{DAY}.html").read_text()
    assert _both_titles(_words(html))
    assert len(lxml.html.document_fromstring(html).xpath("//a[@href='https://blog.example/bridge-vote']")) == 1
    text, mail_html, archived = renderings(path)
    assert _both_titles(text) and "  also: " in text and "    https://blog.example/" in text  # the mail's text part
    assert _both_titles(_words(mail_html))  # its HTML part
    assert _both_titles(_words(archived))  # the archive's day page
    assert "Library opens on Sundays · Blog" in _words(html)  # one version: its line as before


def test_an_earlier_story_names_its_other_outlets_titles_and_counts_those_past_three(tmp_path: Path) -> None:
    """Three versions from two outlets: the wire's title named with its outlet; five other
    titles: three named, "and 2 more"."""
    wire = tmp_path / "wire"
    wire.mkdir()
    items = "".join(f"<item><title>Council to shut harbour bridge to cars, take {i}</title>"
                    f"<link>https://wire.example/bridge-{i}</link><pubDate>Tue, 04 Oct 2016 1{i}:00:00 GMT</pubDate>"
                    f"<description>{_POST}</description></item>" for i in range(4))  # fmt: skip
    (wire / "feed.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
                                   f"<link>https://wire.example/</link><description>d</description>{items}</channel></rss>")
    path = tmp_path / "feeds.yaml"
    path.write_text(f"sources:\n  - name: Blog\n    path: {_feed(tmp_path)}\n  - name: Wire\n    path: {wire / 'feed.xml'}\n"
                    f"timezone: UTC\nclock: {DAY}T20:00:00Z\n")  # fmt: skip
    assert main(["run", "-q", "--config", str(path)]) == 0
    md = (tmp_path / "out" / f"digest-{DAY}.md").read_text().replace("\u00a0", " ")
    bridge, = (line for line in md.splitlines() if line.startswith("- [") and "ridge" in line)
    assert " · 6 versions from 2 outlets, also: [" in bridge, bridge
    assert bridge.count("](https://") == 4 and bridge.endswith("; and 2 more")
    assert "(Wire)" in bridge or "(Blog)" in bridge  # another outlet's title says whose
