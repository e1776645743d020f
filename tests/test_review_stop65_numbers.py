"""Stop 65: numbers and two CLI lines (docs/evaluation.md, "Stop 65: numbers and two CLI lines").

The stop 65 review's three leftovers, each through the command line in its own process:
counts of 1,000 or more written without a separator ("**20002** articles read"), ``digest send``
writing and printing a day's files before "not sent: already sent", and ``digest search
--since`` listing a story under a day before the one asked for.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.daemon import smtpd

ROOT = Path(__file__).resolve().parents[1]
#: Stories of the big day: each its own (no two items share a word), 1,000 or more, and enough
#: that a mail leaves 1,000 or more of them out ("Too many stories for one email: ...").
BIG = 2000


def _digest(where: Path, *argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``digest ARGV`` in its own process, in ``where``, as a user types it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "digest", *argv], cwd=where, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _feed(n: int) -> str:
    """An RSS feed of ``n`` items no two of which share a word (each its own story)."""
    items = []
    for i in range(n):
        words = " ".join(f"w{i}x{j}" for j in range(12))
        items.append(f"<item><title>Report {i} w{i}title</title><link>https://alpha.example/{i}</link>"
                     f"<guid>alpha-{i}</guid><pubDate>Fri, 20 Nov 2026 19:00:00 GMT</pubDate>"
                     f"<description>Item {i}: {words}.</description></item>")
    return f"<rss version='2.0'><channel><title>Alpha</title>{''.join(items)}</channel></rss>"


def _config(where: Path, locale: str, **more: str) -> Path:
    cfg = where / "feeds.yaml"
    text = (f"sources:\n  - name: Alpha\n    path: alpha.rss\ntimezone: UTC\nclock: 2026-11-20T20:00:00Z\n"
            f"locale: {locale}\noutput_dir: out\ndata_dir: data\n")
    cfg.write_text(text + "".join(f"{k}: {v}\n" for k, v in more.items()))
    return cfg


@pytest.fixture(scope="module")
def big_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A day of ``BIG`` stories read in de_DE (the slow part, once: one first run)."""
    where = tmp_path_factory.mktemp("big")
    (where / "alpha.rss").write_text(_feed(BIG))
    _config(where, "de_DE")
    done = _digest(where, "run", "--config", "feeds.yaml")
    assert done.returncode == 0, done.stderr
    return where, done


def test_counts_are_grouped_in_the_locale_in_every_page_and_line(
    big_day: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path,
) -> None:
    """"**2000** articles read · **2000** stories": now "2.000" in de_DE (md, HTML, the text
    part), "2 000" with a narrow no-break space in fr_FR, "2,000" in en; the run's line
    (English words) "2,000 entries"; the JSON keeps the number.  Under 1,000 as before (a
    normal day's pages keep their bytes)."""
    where, run = big_day
    assert "1 source, 2,000 entries, 2,000 new articles, 2,000 stories in the digest of 2026-11-20 (2,000 new" in run.stderr
    md = (where / "out" / "digest-2026-11-20.md").read_text()
    assert "**2.000** articles read · **2.000** stories · **0** duplicates collapsed" in md
    html = (where / "out" / "digest-2026-11-20.html").read_text()
    assert re.search(r"<strong>2\.000</strong> articles read", html)
    page = _digest(where, "build", "--config", "feeds.yaml", "--date", "2026-11-20", "--format", "json", "-o", "-")
    assert json.loads(page.stdout)["counts"]["articles_read"] == 2000, page.stderr
    for locale, shown in (("fr_FR", "2\u202f000"), ("en_US", "2,000")):
        _config(where, locale)
        out = _digest(where, "build", "--config", "feeds.yaml", "--date", "2026-11-20", "-o", "-", "--format", "md")
        assert out.returncode == 0, out.stderr
        assert f"**{shown}** articles read · **{shown}** stories" in out.stdout
    _config(where, "de_DE")
    (tmp_path / "alpha.rss").write_text(_feed(3))
    _config(tmp_path, "fr_FR")
    assert _digest(tmp_path, "run", "--config", "feeds.yaml", "-q").returncode == 0
    small = (tmp_path / "out" / "digest-2026-11-20.md").read_text()
    assert "**3** articles read · **3** stories · **0** duplicates collapsed" in small


def test_the_mail_and_its_subject_group_the_counts(big_day: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """The subject "digest for 2026-11-20: 2.000 stories", and both parts' counts line."""
    where, _ = big_day
    with smtpd() as (inbox, port):
        _config(where, "de_DE", clock="2026-11-21T08:00:00Z",
                email=f"{{host: 127.0.0.1, port: {port}, security: none, from: d@example.org, to: [ann@example.org]}}")
        sent = _digest(where, "send", "--config", "feeds.yaml", "--date", "2026-11-20")
        _config(where, "de_DE")
    assert sent.returncode == 0, sent.stderr
    [msg] = inbox.messages
    assert msg["Subject"] == "digest for 2026-11-20: 2.000 stories"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "2.000 articles read · 2.000 stories" in text
    # a day too long for one email says how many it lists and leaves out, grouped the same
    fit = re.search(r"Too many stories for one email: (.*?)\. Every", " ".join(text.split()))
    assert fit is not None and re.search(r"\d\.\d{3} not listed here", fit[1]), fit and fit[1]
    assert re.search(r">2\.000</strong> articles read", html)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(big_day: tuple[Path, subprocess.CompletedProcess[str]]) -> Iterator[str]:
    where, _ = big_day
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--config", "feeds.yaml", "--port", str(port)],
                            cwd=where, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_archive_groups_its_counts(served: str) -> None:
    """The archive's index: "Fri, 20 Nov 2026 · 2.000 stories" (it said "2000 stories")."""
    with urllib.request.urlopen(served, timeout=120) as r:
        index = r.read().decode()
    assert "&nbsp;· 2.000 stories" in index
    with urllib.request.urlopen(served + "day/2026-11-20", timeout=120) as r:
        day = r.read().decode()
    assert re.search(r"<strong>2\.000</strong> articles read", day)


def test_send_of_a_day_already_sent_writes_and_prints_no_file(tmp_path: Path) -> None:
    """``digest send`` (no ``--date``) a second time: it wrote the day's two files again and
    printed their paths above "not sent: already sent"; now nothing is written or printed but
    that line (the first send, as before, prints both paths)."""
    (tmp_path / "alpha.rss").write_text(_feed(3))
    with smtpd() as (inbox, port):
        mail = f"{{host: 127.0.0.1, port: {port}, security: none, from: d@example.org, to: [ann@example.org]}}"
        _config(tmp_path, "en_GB", email=mail)
        assert _digest(tmp_path, "run", "--config", "feeds.yaml", "-q").returncode == 0
        _config(tmp_path, "en_GB", email=mail, clock="2026-11-21T08:00:00Z")
        first = _digest(tmp_path, "send", "--config", "feeds.yaml")
        assert first.returncode == 0, first.stderr
        assert [Path(p).name for p in first.stdout.split()] == ["digest-2026-11-20.md", "digest-2026-11-20.html"]
        files = sorted((tmp_path / "out").iterdir())
        before = {f: f.stat().st_mtime_ns for f in files}
        time.sleep(0.05)
        again = _digest(tmp_path, "send", "--config", "feeds.yaml")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert "not sent: already sent to ann@example.org" in again.stderr
    assert {f: f.stat().st_mtime_ns for f in files} == before
    assert len(inbox.messages) == 1


def test_search_since_lists_a_developing_story_under_the_day_that_matched(tmp_path: Path) -> None:
    """A note read on 20 November and updated on the 22nd with a word (``lighthouse``):
    ``digest search lighthouse --since 2026-11-22`` listed it under "2026-11-20", a day before
    the one asked for (read as a filter that failed); now under 2026-11-22, the digest of the
    version that matched, its first day said on a line of its own.  Without ``--since``, as
    before: the day it was new."""
    notes = tmp_path / "notes"
    notes.mkdir()
    note = notes / "ferry.md"
    body = ("# Harbour ferry delayed by storm\n\nThe harbour ferry was delayed three hours by a storm that "
            "closed the port on Friday, the operator said.\n")
    note.write_text(body)
    cfg = tmp_path / "feeds.yaml"
    head = "sources:\n  - name: Notes\n    path: notes\ntimezone: UTC\noutput_dir: out\ndata_dir: data\n"
    cfg.write_text(head + "clock: 2026-11-20T20:00:00Z\n")
    assert _digest(tmp_path, "run", "--config", "feeds.yaml", "-q").returncode == 0
    note.write_text(body + "\nThe harbour ferry sailed again after the storm, guided past the lighthouse by a pilot boat.\n")
    cfg.write_text(head + "clock: 2026-11-22T20:00:00Z\n")
    assert _digest(tmp_path, "run", "--config", "feeds.yaml", "-q").returncode == 0
    found = _digest(tmp_path, "search", "--config", "feeds.yaml", "lighthouse", "--since", "2026-11-22")
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert lines[0].startswith("2026-11-22  Harbour ferry delayed by storm"), found.stdout
    assert lines[-1].strip() == "developing: first in the digest of 2026-11-20"
    every = _digest(tmp_path, "search", "--config", "feeds.yaml", "lighthouse")
    assert every.stdout.startswith("2026-11-20  Harbour ferry delayed by storm"), every.stdout
    assert "developing" not in every.stdout
