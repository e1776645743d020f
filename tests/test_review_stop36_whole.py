"""The whole-change review's findings (stop 36): where this session's parallel changes met.
A test that failed on the code as merged says in its docstring what the user got before;
the others pin a meeting of two changes that was found right."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

from digest.app import open_app
from digest.config import EmailConfig
from digest.output.mailer import subject_for
from digest.records import ALSO_REPORTED, RunReport
from digest.sources.fields import unwrapped
from tests.support.config import MakeApp
from tests.support.httpd import TestServer
from tests.test_fulltext import page
from tests.test_review_stop36_developing import replayed, stream
from tests.test_review_stop36_security import (
    NOW,
    SECRET,
    SECRET_PARAS,
    SECRET_TITLE,
    rss,
    stored_text,
)


def test_the_subject_and_the_run_line_count_the_stories_the_digest_heads(tmp_path: Path) -> None:
    """A day whose older story only gained a late wire copy ("also reported since") is headed
    "1 story" (JSON ``counts.stories``, the archive's index), but the email's subject said
    "2 stories" and ``digest run``'s line "2 stories in the digest (1 new, 1 developing)":
    the copy counted as a story, and as a developing one."""
    replayed(tmp_path, stream()[:4])
    with open_app(tmp_path / "feeds.yaml") as app:
        view = app.build_view(date(2026, 11, 11))
    assert [s.status for s in view.stories].count(ALSO_REPORTED) == 1
    n, new = view.story_count, sum(s.status == "new" for s in view.stories)
    developing = sum(s.status == "developing" for s in view.stories)
    assert n == new + developing and n < len(view.stories)
    mail = EmailConfig.model_validate({"host": "127.0.0.1", "from": "d@news.example.org", "to": ["r@example.org"]})
    assert subject_for(view, mail) == f"digest for 2026-11-11: {n} {'story' if n == 1 else 'stories'}"
    report = RunReport()
    report.count_digest(view)
    summary = report.summary()
    said = f"{n} {'story' if n == 1 else 'stories'} in the digest of 2026-11-11 ({new} new, {developing} developing)"
    assert said in summary, summary
    assert "1 also reported" in summary, summary


def test_a_redirect_read_through_is_judged_as_the_feeds_link_it_came_in(tmp_path: Path, make_app: MakeApp) -> None:
    """The wild-feeds change reads a Google (Bing, Facebook) redirect through to its target,
    and the security change judges a feed's links by the source's URL: the target of a
    redirect in a feed file, or in an intranet feed on another port, is a link of that
    feed, never read from 127.0.0.1 whatever ``allow_hosts`` lets the user's URLs reach."""
    with TestServer() as internal, TestServer() as feed:
        internal.set("/secret", page(SECRET_TITLE, SECRET_PARAS), headers={"Content-Type": "text/html"})
        wrapped = [f"https://www.google.com/url?rct=j&sa=t&url={quote(internal.url('/secret'), safe='')}&ct=ga",
                   f"https://l.facebook.com/l.php?u={quote(internal.url('/secret'), safe='')}"]
        assert [unwrapped(w) for w in wrapped] == [internal.url("/secret")] * 2
        hostile = rss([(w, f"{SECRET_TITLE} {n}", "") for n, w in enumerate(wrapped)])
        (tmp_path / "drop").mkdir()
        (tmp_path / "drop" / "alerts.rss").write_bytes(hostile)
        feed.set("/feed.xml", hostile, headers={"Content-Type": "application/rss+xml"})
        sources = ("  - name: Dropped\n    path: drop\n    full_text: true\n"
                   f"  - name: Intranet\n    url: {feed.url('/feed.xml')}\n    full_text: true\n")
        with make_app(tmp_path, sources, fetch={"allow_hosts": ["127.0.0.1"]}) as app:
            app.run(now=NOW)
            assert SECRET not in stored_text(app)
            assert {a.url for a in app.store.articles_since(datetime(2000, 1, 1, tzinfo=UTC))} == {
                internal.url("/secret")}
        assert internal.hits["/secret"] == 0
