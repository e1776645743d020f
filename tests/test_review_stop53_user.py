"""Stop 53 review: a new user's week.  What a reader did with the archive and got wrong.

* ``digest explain`` of a story seen in ``digest serve``: the address in the browser's bar
  (``http://127.0.0.1:8080/story/<id>``) was "no story or article has this id or link".
* A story page said "first reported 09:00" over a version of 10:00 (a feed whose items are
  dated a little after they were read), where the day page said "first reported 10:00".

Real parts: the CLI, feed files on disk, SQLite, the archive on a real HTTP server."""

from __future__ import annotations

import json
import logging
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import lxml.html
import pytest

from digest.cli import main
from digest.config import load_config
from tests.support.web import site

FIXTURES = Path(__file__).parent / "fixtures" / "stories"


def _story(name: str) -> tuple[str, str]:
    title, _, body = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return title, body


def _rss(path: Path, outlet: str, items: list[tuple[str, str, datetime]]) -> None:
    """A feed file of ``items`` (guid, fixture story, publication time)."""
    entries = "".join(
        f"<item><guid isPermaLink=\"false\">{guid}</guid><title>{escape(_story(name)[0])}</title>"
        f"<link>https://{outlet.lower()}.example/news/{guid}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate><description>{escape(_story(name)[1])}</description></item>"
        for guid, name, when in items
    )
    path.write_text(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{outlet}</title>'
                    f"<link>https://{outlet.lower()}.example/</link><description>news</description>"
                    f"{entries}</channel></rss>", encoding="utf-8")


def _config(where: Path, clock: str) -> Path:
    cfg = where / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Coast\n    path: coast.rss\n  - name: Valley\n    path: valley.rss\n"
                   f"output_dir: out\ndata_dir: data\ntimezone: UTC\nclock: {clock}\n", encoding="utf-8")
    return cfg


def _story_links(page: str) -> list[str]:
    return [str(h) for h in lxml.html.document_fromstring(page).xpath("//a/@href") if "/story/" in str(h)]


def test_explain_takes_the_address_of_a_story_page_in_the_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = datetime(2026, 11, 20, 8, tzinfo=UTC)
    _rss(tmp_path / "coast.rss", "Coast", [("c1", "quake_a1", day)])
    _rss(tmp_path / "valley.rss", "Valley", [("v1", "quake_a2", day.replace(hour=9))])
    cfg = _config(tmp_path, "2026-11-20T20:00:00Z")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    capsys.readouterr()
    with site(load_config(cfg), clock=lambda: datetime(2026, 11, 20, 21, tzinfo=UTC), url_prefix="/news") as web:
        page = web.get("/news/day/2026-11-20").text
        [href] = sorted(set(_story_links(page)))  # the one story, its versions merged
        address = web.url + href
        assert web.get(href).status_code == 200
    story_id = href.rsplit("/", 1)[1].partition("?")[0]  # the day page links "?day=" its day
    for asked in (address, address + "#versions", href):  # the browser's bar, or the path alone
        assert main(["explain", "--config", str(cfg), asked, "--json"]) == 0, asked
        out = json.loads(capsys.readouterr().out)
        assert out["story"] == story_id
        assert {v["id"] for v in out["versions"]} == {"c1", "v1"}
    # an address that names no story is still one error line
    assert main(["explain", "--config", str(cfg), web.url + "/news/story/nothing-here"]) == 2
    assert "no story or article has this id or link" in capsys.readouterr().err


def test_a_story_page_says_first_reported_as_its_day_page_does_when_a_feed_dates_ahead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Coast's feed dates its item 10:00, an hour after digest read it at 09:00 (its clock runs
    ahead); Valley's report joins the next day.  The day page said "first reported Fri 20 Nov,
    10:00 UTC", the story page "first reported Fri 20 Nov, 09:00 UTC" over Coast's 10:00."""
    ahead = datetime(2026, 11, 20, 10, tzinfo=UTC)
    _rss(tmp_path / "coast.rss", "Coast", [("c1", "quake_a1", ahead)])
    _rss(tmp_path / "valley.rss", "Valley", [])
    assert main(["run", "--config", str(_config(tmp_path, "2026-11-20T09:00:00Z")), "--quiet"]) == 0
    _rss(tmp_path / "valley.rss", "Valley", [("v1", "quake_a2", datetime(2026, 11, 21, 8, tzinfo=UTC))])
    cfg = _config(tmp_path, "2026-11-21T12:00:00Z")
    assert main(["run", "--config", str(cfg), "--quiet"]) == 0
    capsys.readouterr()

    def reported(page: str) -> str:
        text = " ".join(lxml.html.document_fromstring(page).text_content().split())
        found = re.search(r"first reported (\w+ \d+ \w+, \d\d:\d\d)", text.replace("\xa0", " "))
        assert found, text[:600]
        return found.group(1)

    with site(load_config(cfg), clock=lambda: datetime(2026, 11, 21, 13, tzinfo=UTC)) as web:
        day = web.get("/day/2026-11-21").text
        assert "DEVELOPING" in day.upper()
        [href] = sorted(set(_story_links(day)))
        story = web.get(href).text
    assert reported(day) == "Fri 20 Nov, 10:00"
    assert reported(story) == reported(day)


def test_the_commands_init_suggests_edit_the_file_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``digest init ~/news/`` said "next: ... (or digest import-opml FILE)": run as printed, in
    the shell it was typed in, that edits ./feeds.yaml (or finds none), not the file written."""
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["init", str(tmp_path / "news") + "/"]) == 0
    lines = capsys.readouterr().out.splitlines()
    said = " ".join(lines[1:])
    [opml_cmd] = re.findall(r"digest import-opml FILE[^,)]*", said)
    opml = tmp_path / "subs.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
                    '<outline text="Coast" title="Coast" type="rss" xmlUrl="https://coast.example/feed.xml"/>'
                    "</body></opml>", encoding="utf-8")
    argv = [str(opml) if word == "FILE" else word for word in shlex.split(opml_cmd)[1:]]
    assert main(argv) == 0, argv  # as printed, from where `digest init` was typed
    assert "https://coast.example/feed.xml" in (tmp_path / "news" / "feeds.yaml").read_text(encoding="utf-8")
    assert not (elsewhere / "feeds.yaml").exists()
    [run_cmd] = [line.strip() for line in lines if line.strip().startswith("digest run")]
    assert shlex.split(run_cmd)[2:] == ["--config", str(tmp_path / "news" / "feeds.yaml")]
    assert "digest add URL --config" in said  # the first way to add a feed, named too


class _ReleaseWhenWaiting(logging.Handler):
    """Tells ``holder`` (by a line on its stdin) to let its lock go once a record says the
    send waits for it."""

    def __init__(self, holder: subprocess.Popen[str]) -> None:
        super().__init__(logging.INFO)
        self.holder, self.released = holder, False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.released and "waiting for it" in record.getMessage():
            assert self.holder.stdin is not None
            self.holder.stdin.write("go\n")
            self.holder.stdin.flush()
            self.released = True


def test_a_send_while_another_process_mails_waits_for_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Two ``digest send`` at once (cron's and one typed): the second said "error: ...: another
    digest deliver is already running (pid N)", exit 2, where ``digest run`` waits for another
    run.  Another process holds the store's mailing lock for a moment; ``send`` waits for it,
    then mails."""
    from tests.support.daemon import read_yesterday, smtpd
    from tests.support.httpd import TestServer

    with TestServer() as srv, smtpd() as (inbox, port):
        cfg, day = read_yesterday(tmp_path, srv, port)
        caplog.set_level(logging.INFO)
        holder = subprocess.Popen(  # holds the lock until the send has begun to wait (was: 2 s)
            [sys.executable, "-c",
             "import sys\n"
             "from digest.store.base import open_store\n"
             "with open_store(sys.argv[1]) as store:\n"
             "    assert store.acquire_lock('deliver')\n"
             "    print('held', flush=True)\n"
             "    sys.stdin.readline()\n",
             load_config(cfg).database_url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
        release = _ReleaseWhenWaiting(holder)
        logging.getLogger().addHandler(release)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            assert main(["send", "--config", str(cfg), "--date", day.isoformat()]) == 0
        finally:
            logging.getLogger().removeHandler(release)
            assert holder.stdin is not None
            holder.stdin.close()  # a send that never waited: the holder ends all the same
            holder.wait(30)
        assert release.released
        err = capsys.readouterr().err
        assert any("is mailing: waiting for it" in r.getMessage() for r in caplog.records), caplog.text
        assert f"digest {day}: sent to me@example.org" in err, err
        assert len(inbox.messages) == 1


def test_a_day_that_has_not_begun_gets_no_digest_and_no_place_in_the_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest run --date 2030-01-01`` (a slip for 2020) and ``digest build --date`` of tomorrow
    wrote empty digests, and the archive listed "Tuesday, 1 January 2030 · 0 stories" first,
    today's page linking on to tomorrow.  Refused now as a day before the store's first is; a
    weekly digest's week under way (its last day ahead) is still built so far."""
    notes = tmp_path / "notes"
    notes.mkdir()
    title, body = _story("quake_a1")
    (notes / "quake.md").write_text(f"---\ntitle: {title}\ndate: 2026-11-18T08:00:00Z\n---\n{body}", encoding="utf-8")
    cfg = tmp_path / "feeds.yaml"  # Wednesday 18 November 2026
    cfg.write_text("sources:\n  - name: Notes\n    path: notes\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n"
                   "clock: 2026-11-18T12:00:00Z\ndigests:\n  - name: daily\n"
                   "  - name: weekly\n    every: week\n    weekday: monday\n", encoding="utf-8")
    c = ["--config", str(cfg)]
    assert main(["run", *c, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["run", *c, "--quiet", "--date", "2030-01-01"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == ("error: 2030-01-01 has no digest yet: today is 2026-11-18 in UTC "
                       "(nothing was written; the sources were read)"), err
    assert main(["build", *c, "--digest", "daily", "--date", "2026-11-19"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "error: 2026-11-19 has no digest yet: today is 2026-11-18 in UTC (nothing was written)")
    assert main(["build", *c, "--digest", "weekly", "--date", "2026-11-20"]) == 0  # its week so far
    assert main(["build", *c, "--digest", "daily", "--date", "2026-11-18"]) == 0  # today so far
    written = sorted(p.name for p in (tmp_path / "out").rglob("digest-*"))
    assert not [n for n in written if "2030" in n or "2026-11-19" in n], written
    assert "digest-weekly-2026-11-22.html" in written  # the week of 16 to 22 November
    with site(load_config(cfg), clock=lambda: datetime(2026, 11, 18, 13, tzinfo=UTC)) as web:
        days = [h for h in sorted(set(re.findall(r'href="(/day/[^"]+)"', web.get("/").text)))]
        assert days == ["/day/2026-11-18"], days
        assert web.get("/day/2030-01-01").status_code == 404
