"""The email's plain-text part wrapped at 72 characters (``digest.output.plainwrap``): titles,
"Developing" lines and versions' lines were one line however long; a URL or a word is never
split, a list item's lines stay under its text, and the part still goes out and reads back as
written, to a server with 8BITMIME and to one without."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from digest.output.mailer import build_message, deliver
from digest.output.mailsize import email_parts
from digest.output.plainwrap import TEXT_WIDTH, wrap_plain
from digest.output.render import render_markdown, render_text
from digest.records import DigestView, StoryView, VersionView
from digest.store.base import open_store
from tests.test_mailer import TZ, email_cfg
from tests.test_review_stop48_smtp import Options, server

AT = datetime(2026, 3, 14, 8, 30, tzinfo=UTC)
LONG_TITLE = ("Regional council votes to reopen the harbour bridge after a six-month closure, "
              "with a new weight limit for lorries and a cycle lane on its northern side")
LONG_URL = "https://coast.example/news/2026/03/14/" + "harbour-bridge-reopens-weight-limit-cycle-lane-" * 2 + "x"
#: A URL that fits a line of the mail (78 bytes): with it, every line of the part does.
SHORT_URL = "https://coast.example/b/14"
WHATS_NEW = ("The mayor said the bridge would open to lorries of up to 18 tonnes from Monday morning, "
             "and that the cycle lane would follow in April once the railings are replaced")


def long_view(url: str = LONG_URL) -> DigestView:
    """Four stories (so the text opens with its contents): one titled at length with a long
    URL (``url``), developing, with a version of a long title; three short ones."""
    lead = VersionView("Coast News", LONG_TITLE, url, AT, "The council voted on Friday. " * 12)
    also = [VersionView("Valley Wire and Harbour Times", LONG_TITLE + " (updated)",
                        url + "?update=2", AT + timedelta(hours=1), "", new=True)]
    stories = [StoryView("bridge", LONG_TITLE, lead, also, status="developing", whats_new=WHATS_NEW,
                         first_seen=AT - timedelta(days=1))]
    stories += [StoryView(f"s{i}", f"Story {i}", VersionView("Wire", f"Story {i}", f"https://w.example/{i}", AT), [])
                for i in range(3)]
    return DigestView("2026-03-14", stories, 9, 4, generated=AT)


def _lines_too_long(text: str) -> list[str]:
    """Lines over the width that are more than one word or URL after their indentation and list marker."""
    return [line for line in text.split("\n")
            if len(line) > TEXT_WIDTH and len(re.sub(r"^ *(?:[*-]|\d+\.)? *", "", line).split(" ")) > 1]


def test_the_text_part_is_wrapped_at_72_without_splitting_a_url_or_a_word() -> None:
    text = render_text(long_view())
    assert _lines_too_long(text) == []
    lines = text.split("\n")
    assert LONG_URL in [line.strip() for line in lines]  # whole, on a line of its own
    assert LONG_URL + "?update=2" in [line.strip() for line in lines]
    # every word of the title in order, none broken: the title's lines joined are the title
    start = lines.index(next(line for line in lines if line.startswith("Regional council votes")))
    assert " ".join(lines[start:start + 3]).startswith(LONG_TITLE)
    # a list item's lines under its text: the contents' " 1. " item, the version's title
    item = next(i for i, line in enumerate(lines) if line.startswith(" 1. Regional"))
    assert lines[item + 1].startswith("    ") and not lines[item + 1].startswith("     ")
    assert re.match(r"^ {4}\S", lines[item + 1])
    version = next(i for i, line in enumerate(lines) if line.startswith("  Regional council"))
    assert re.match(r"^ {2}\S", lines[version + 1]) and "(updated)" in " ".join(lines[version:version + 4])
    # a date's no-break spaces hold
    assert not any(re.search(r"\b(?:Sat|Fri)$", line) for line in lines)


def test_wrap_plain_changes_whitespace_only() -> None:
    raw = ("* Outlet · Sat\u00a014\u00a0Mar, 08:30\u00a0UTC · " + "word " * 30 + LONG_URL + " tail\n"
           + "  " + "indented " * 12 + "\n" + " 1. " + "item " * 20 + "\n" + LONG_URL + "\n" + "-" * 72)
    out = wrap_plain(raw)
    assert out.split() == raw.split() and out.count("\n") > raw.count("\n")
    assert _lines_too_long(out) == []
    assert "Sat\u00a014\u00a0Mar, 08:30\u00a0UTC" in out
    lines = out.split("\n")
    assert "  " + LONG_URL in lines and LONG_URL in lines and "-" * 72 in lines
    assert [line[:4] for line in lines if line.startswith(" ") and "item" in line] == [" 1. "] + ["    "] * (
        sum(1 for line in lines if "item" in line) - 1)
    assert wrap_plain(out) == out  # wrapped already: as it is


def test_the_markdown_digest_is_not_wrapped() -> None:
    """The .md is another text (link syntax; a hard break inside a link's text would show)."""
    md = render_markdown(long_view())
    assert any(len(line) > 100 and LONG_URL in line for line in md.split("\n"))


@pytest.mark.parametrize(("url", "cte"), [(SHORT_URL, "8bit"), (LONG_URL, "quoted-printable")])
def test_the_text_part_goes_as_8bit_when_its_lines_fit(url: str, cte: str) -> None:
    """The email package sends a part whose lines all fit 78 bytes as 8bit (7bit if ASCII),
    else quoted-printable: the text part was quoted-printable whatever its words (its long
    lines); wrapped, it is 8bit unless a line is a URL longer than the line (kept whole, so
    quoted-printable, as before).  The size logic (``mailsize``) measures the HTML part alone
    (Gmail clips HTML): the parts are those it picked, the text as ``render_text`` wraps it."""
    view = long_view(url)
    html, text = email_parts(view)
    assert _lines_too_long(text) == [] and text == render_text(view)
    msg = build_message(view, email_cfg(25), tz=TZ, html=html, text=text)
    plain = next(msg.iter_parts())
    assert isinstance(plain, EmailMessage)
    assert plain["Content-Transfer-Encoding"] == cte
    assert plain.get_content().rstrip("\n") == text.rstrip("\n")


@pytest.mark.parametrize("eight_bit", [True, False])
def test_the_wrapped_text_part_reads_back_as_written(tmp_path: Path, eight_bit: bool) -> None:
    """Through a real SMTP server: 8bit declared to one offering 8BITMIME, 7 bits to one not."""
    inbox = Options(eight_bit=eight_bit)
    view = long_view(SHORT_URL)
    with server(inbox) as port:
        store = open_store(f"sqlite:///{tmp_path / 'digest.sqlite3'}")
        try:
            assert deliver(store, view, email_cfg(port, to=["reader@example.org"]), tz=TZ)
        finally:
            store.close()
    [raw] = inbox.raw
    assert raw.isascii() != eight_bit
    assert inbox.options == [["BODY=8BITMIME"] if eight_bit else []]
    msg = message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage) and not msg.defects
    plain = next(msg.iter_parts())
    assert isinstance(plain, EmailMessage)
    got = plain.get_content().replace("\r\n", "\n")
    assert got.rstrip("\n") == render_text(view, tz=TZ).rstrip("\n") and _lines_too_long(got) == []


def test_a_feeds_bidi_run_and_a_word_with_a_colon_are_not_broken_before() -> None:
    """A break inside a feed's bidi run (closed by the renderer before the digest's own words)
    ended a line with the run open; a break before "Bcc:" (a title's CR/LF made a space)
    began a line as a header does (``test_review_stop56_hostile`` holds both)."""
    run = "\u202e" + "reversed words " * 8 + "end\u202c"
    out = wrap_plain("Title " + "word " * 10 + run + " · Sun 6 Dec")
    assert run in out.split("\n")[1] and out.split() == ("Title " + "word " * 10 + run + " · Sun 6 Dec").split()
    out = wrap_plain("* " + "word " * 12 + "then Bcc: evil@example.org and more words to wrap here")
    assert not any(line.lstrip().startswith("Bcc:") for line in out.split("\n")), out
    assert "then Bcc:" in out


def test_no_line_ends_with_a_separating_dot() -> None:
    """" · Sat 14 Mar": the dot goes with what it introduces (as the pages' heading keeps it)."""
    for n in range(40, 75):
        line = "Developing: " + "x" * (n - 16) + " · Sat\u00a014\u00a0Mar · 1\u00a0earlier report"
        out = wrap_plain(line)
        assert not any(part.endswith("·") for part in out.split("\n")), out
        assert out.split() == line.split()
