"""The mail's subject counts a new source's backlog as its heading does (stop 53's papercuts).

A reader who added a feed with a long backlog got "digest for …: 6 stories" while the mail's
own heading said "3 stories · … + 3 earlier stories first read in this digest".  The subject
now says "3 stories + 3 earlier", the same numbers as the plain-text and the HTML heading.

Real parts: feeds on loopback HTTP (stop 39's two days), a SQLite store on disk, and the
digest delivered to a loopback SMTP server (aiosmtpd), read back as a mail client would.
"""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

import lxml.html

from digest.output.mailer import deliver, subject_for
from tests.support.config import MakeApp, loopback_email
from tests.support.daemon import smtpd
from tests.support.httpd import TestServer
from tests.test_stop39_backlog import DAY1, DAY2, LOOPBACK, OLD_DAY1, OLD_LATE, serve, setup_days


def test_the_subject_counts_the_backlog_apart_as_both_headings_do(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv, smtpd() as (inbox, port):
        old, new = setup_days(srv)
        with make_app(tmp_path, {"Old Wire": old}, LOOPBACK) as app:
            app.run(now=DAY1)
        serve(srv, "/old.xml", [(k, k, p) for k, p in {**OLD_DAY1, **OLD_LATE}.items()])
        with make_app(tmp_path, {"Old Wire": old, "Newcomer": new}, LOOPBACK + loopback_email(port)) as app:
            app.run(now=DAY2)
            view = app.build_view(DAY2.date())
            assert view.story_count == 6 and view.backlog == 3
            assert app.cfg.email is not None
            assert deliver(app.store, view, app.cfg.email, tz=UTC)
            own = app.cfg.email.model_copy(update={"subject": "{stories} new, {earlier} earlier: {count}"})
    (msg,) = inbox.messages
    assert str(msg["Subject"]) == "digest for 2026-11-21: 3 stories + 3 earlier"
    assert subject_for(view, own) == "3 new, 3 earlier: 3 stories + 3 earlier"
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    assert text_part is not None and html_part is not None
    text = " ".join(text_part.get_content().split())  # the text part is wrapped at 72
    html_text = " ".join(lxml.html.document_fromstring(html_part.get_content()).text_content().split())
    for heading in (text, html_text):  # the counts line: the day's news, then the earlier news apart
        said = re.search(r"(\d+) stories · .*?\+\s(\d+) earlier stories first read in this digest", heading)
        assert said is not None, heading[:400]
        assert said.groups() == ("3", "3")


def test_without_a_backlog_the_subject_is_as_before(tmp_path: Path, make_app: MakeApp) -> None:
    with TestServer() as srv, smtpd() as (inbox, port):
        old, _ = setup_days(srv)
        with make_app(tmp_path, {"Old Wire": old}, LOOPBACK + loopback_email(port)) as app:
            app.run(now=DAY1)
            view = app.build_view(DAY1.date())
            assert view.backlog == 0 and view.story_count == 1
            assert app.cfg.email is not None
            assert deliver(app.store, view, app.cfg.email, tz=UTC)
    (msg,) = inbox.messages
    assert str(msg["Subject"]) == "digest for 2026-11-20: 1 story"
