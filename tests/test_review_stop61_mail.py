"""The digest email as mail servers store it (stop 61 review): sent through a real loopback SMTP
server (aiosmtpd) and kept, as a local delivery does, in an mbox (Python's ``mailbox``, which
writes a body line beginning "From " as ">From ", as Postfix's and procmail's mbox delivery do),
the text and HTML parts read back are what was sent."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.config import EmailConfig
from digest.output.mailer import deliver
from digest.output.render import render_email_html, render_text
from digest.records import DigestView, StoryView, VersionView
from digest.store.base import open_store
from tests.support.daemon import Inbox, smtpd

TZ = ZoneInfo("UTC")
DAY = "2026-11-20"
#: an excerpt whose wrap at 72 begins its second line with "From " (and a title beginning so)
EXCERPT = ("The council voted on Thursday to close the old bridge over the river for repairs. "
           "From Monday the buses will run by the new road instead, the council said.")


def _view(excerpt: str = EXCERPT, title: str = "From Monday, buses take the new road") -> DigestView:
    def v(source: str, title: str, url: str) -> VersionView:
        return VersionView(source, title, url, datetime(2026, 11, 20, 8, 30, tzinfo=UTC), excerpt)

    lead = v("Coast News", title, "https://coast.example/b")
    return DigestView(
        date=DAY, stories=[StoryView("s1", lead.title, lead, [])], articles_read=1,
        duplicates_collapsed=0, title="digest", generated=datetime(2026, 11, 20, 9, tzinfo=UTC))


def _mailed(tmp_path: Path, view: DigestView) -> bytes:
    store = open_store(f"sqlite:///{tmp_path / 'digest.sqlite3'}")
    try:
        with smtpd(Inbox()) as (inbox, port):
            cfg = EmailConfig.model_validate({"host": "127.0.0.1", "port": port, "security": "none",
                                              "from": "digest@example.org", "to": ["me@example.org"]})
            assert deliver(store, view, cfg, tz=TZ) is True
    finally:
        store.close()
    assert len(inbox.raw) == 1
    return inbox.raw[0]


def test_a_line_beginning_from_survives_an_mbox_delivery(tmp_path: Path) -> None:
    text, html = render_text(_view(), tz=TZ), render_email_html(_view(), tz=TZ)
    assert "\nFrom Monday" in text and "\nFrom Monday, buses" in text  # the case: lines begin "From "
    raw = _mailed(tmp_path, _view())
    box = mailbox.mbox(tmp_path / "inbox.mbox")
    box.add(raw)  # a local delivery into an mbox, its "From " lines made ">From "
    box.flush()
    stored = (tmp_path / "inbox.mbox").read_bytes()
    assert b"\n>From " not in stored
    msg = message_from_bytes(box.get_bytes(0), policy=default_policy)
    assert isinstance(msg, EmailMessage)
    plain, rich = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content().replace("\r\n", "\n") == text  # read back as it was sent
    assert rich.get_content().replace("\r\n", "\n") == html


def test_a_day_without_such_a_line_keeps_its_8bit_text_part(tmp_path: Path) -> None:
    """The armour only where needed: a text part with no line beginning "From " stays 8-bit."""
    view = _view(EXCERPT.replace("From", "As of"), "Buses take the new road")
    raw = _mailed(tmp_path, view)
    msg = message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    plain = msg.get_body(("plain",))
    assert plain is not None and plain["Content-Transfer-Encoding"] == "8bit"
    assert plain.get_content().replace("\r\n", "\n") == render_text(view, tz=TZ)
