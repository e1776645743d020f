"""The daily email's size (stop 35 review, ``digest.output.mailsize``): a long day's mail,
sent through a real loopback SMTP server (aiosmtpd), keeps its HTML part under the budget
Gmail shows whole, names every story (the first in full, the others by title), keeps its
footer, and its text part shows the same stories in the same order; a small day's mail is
what it was."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import lxml.html
import pytest

from benchmarks.mail_fit import halved
from digest.app import open_app
from digest.cli import main
from digest.output.mailsize import (
    EMAIL_HTML_BUDGET,
    MIN_IN_FULL,
    Fit,
    carried_size,
    email_parts,
    ranked,
)
from digest.output.render import make_env, render_email_html, render_text
from digest.records import DigestView
from digest.store.base import SourceState
from tests.support.config import loopback_email
from tests.support.daemon import free_port, smtpd
from tests.support.synthetic import _words

DAY = date(2026, 11, 20)
SECTIONS = {"Harbor Wire": "World", "Ledger": "Business", "Terrace": "Sport"}


def _day(folder: Path, port: int, stories: int, seed: int = 3) -> Path:
    """``feeds.yaml`` and a replayed day of ``stories`` distinct stories (every third one
    carried by a second outlet too) from three sources in three sections, one source failing."""
    rnd = random.Random(seed)
    words = _words()

    def some(n: int) -> str:
        return " ".join(rnd.choice(words) for _ in range(n))

    names = list(SECTIONS)
    lines = []
    start = datetime(2026, 11, 20, 6, tzinfo=UTC)
    for i in range(stories):
        title, text = some(8).capitalize(), " ".join(some(15).capitalize() + "." for _ in range(6))
        at = start + timedelta(minutes=3 * i)
        outlets = [names[i % 3]] + ([names[(i + 1) % 3]] if i % 3 == 0 else [])
        for k, source in enumerate(outlets):
            lines.append(json.dumps({
                "id": f"s{i}-{k}", "title": title, "text": text, "source": source,
                "url": f"https://{source.split()[0].lower()}.example/2026/11/20/story-{i}-{k}",
                "published": (at + timedelta(seconds=k)).isoformat(),
            }))
    (folder / "day.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sources = "".join(f"  - {{name: {n}, url: 'https://{n.split()[0].lower()}.example/feed', category: {c}}}\n"
                      for n, c in SECTIONS.items())
    sources += "  - {name: Dead Wire, url: 'https://dead.example/feed'}\n"
    cfg = folder / "feeds.yaml"
    cfg.write_text(f"""sources:
{sources}output_dir: out
data_dir: data
timezone: UTC
clock: 2026-11-21T08:00:00Z
{loopback_email(port)}""", encoding="utf-8")
    assert main(["replay", str(folder / "day.jsonl"), "--config", str(cfg)]) == 0
    with open_app(cfg) as app:  # a source failing since the day before: the footer names it
        since = datetime(2026, 11, 19, 9, tzinfo=UTC)
        app.store.save_source_state(SourceState(
            name="Dead Wire", location="https://dead.example/feed", failures=4,
            first_failure_at=since, last_fetch_at=since, last_error="connection refused"))
    return cfg


def _parts(raw: bytes) -> tuple[int, str, str]:
    """The HTML part's size on the wire (its headers and encoded body), its text, the text part."""
    msg = message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    html_part, text_part = msg.get_body(("html",)), msg.get_body(("plain",))
    assert html_part is not None and text_part is not None
    start = raw.index(b"Content-Type: text/html")
    carried = len(raw[start : raw.index(b"\r\n--", start)])
    return carried, html_part.get_content(), text_part.get_content()


def _view(cfg: Path) -> DigestView:
    with open_app(cfg) as app:
        return app.build_view(DAY)


def _titles_in_html(html: str) -> tuple[list[str], list[str]]:
    """The titles of the stories in full (their headings) and of those by title only (the
    lists after a "More in ..." line), each in document order."""
    root = lxml.html.document_fromstring(html)
    full = [" ".join(h.text_content().split()) for h in root.iter("h3")]
    listed = []
    for label in root.find_class("more-label"):
        listing = label.getnext()
        assert listing is not None and listing.tag == "ul"
        listed += [" ".join(li.text_content().split()) for li in listing.iter("li")]
    return full, listed


def _titles_in_text(text: str) -> list[str]:
    """The story titles of the text part in order: a full story's under its rule of dashes,
    a listed one's after "* " in a "More in" block."""
    out, lines, listing = [], text.splitlines(), False
    for i, line in enumerate(lines):
        if line == "-" * 72:
            out.append(lines[i + 1])
            listing = False
        elif line.startswith("More in ") and line.endswith("by title only:"):
            listing = True
        elif listing and line.startswith("* "):
            out.append(line[2:])
        elif listing and line.startswith("  ") and line.strip() and not line.lstrip().startswith("http"):
            # a title wrapped at 72 (its link is the line after it)
            out[-1] += " " + line.strip()
        elif not line.strip() or line.startswith("=="):
            listing = False
    return out


@pytest.mark.slow  # seconds by design: runs in CI (--run-slow), not in the README's quick run
def test_a_long_days_mail_fits_gmails_limit_names_every_story_and_keeps_its_footer(tmp_path: Path) -> None:
    """240 stories: the HTML part was about 300 KB (Gmail showed its first third and clipped
    the rest, the failing source and every later story behind "View entire message").  Now it
    is under the budget, the first stories of each section in full and the others by title
    after them, in the digest's order; the footer is there; the text part shows the same."""
    with smtpd() as (inbox, port):
        cfg = _day(tmp_path, port, 240)
        assert main(["send", "--config", str(cfg), "--date", DAY.isoformat()]) == 0
    assert len(inbox.raw) == 1
    carried, html, text = _parts(inbox.raw[0])
    view = _view(cfg)
    n = len(view.stories)  # a few random texts are alike enough to merge
    assert n > 200 and [s.name for s in view.sections] == ["World", "Business", "Sport"]
    assert carried <= EMAIL_HTML_BUDGET  # as counted (the line ends before the boundary aside):
    assert abs(carried - carried_size(html.replace("\r\n", "\n"))) <= 4
    assert carried_size(render_email_html(view, tz=UTC)) > 2 * EMAIL_HTML_BUDGET  # the day is long
    full, listed = _titles_in_html(html)
    assert 3 <= len(full) < n and len(full) + len(listed) == n
    order = [" ".join(s.title.split()) for sec in view.sections for s in sec.stories]
    by_section = [[" ".join(s.title.split()) for s in sec.stories] for sec in view.sections]
    for titles in by_section:  # each section: its first stories in full, then the others by title
        shown = [t for t in titles if t in full]
        assert shown and titles[: len(shown)] == shown
    assert sorted(full + listed) == sorted(order)
    assert _titles_in_text(text) == order  # the text part: the same stories, in the same order
    assert [t for t in _titles_in_text(text) if t in full] == full
    head = f"Too many stories for one email: {len(full)} are in full, the other {len(listed)} by title only"
    assert head in " ".join(html.split()) and head in " ".join(text.split())
    for part in (html, text):  # the footer: the failing source and when the digest was made
        assert "Dead Wire" in part and "connection refused" in part and "Generated" in part
    assert f"{n} stories" in lxml.html.document_fromstring(html).text_content() and f"{n} stories" in text


def test_a_small_days_mail_is_byte_for_byte_what_it_was(tmp_path: Path) -> None:
    """12 stories fit: the mail's parts are the renderings without any fit, byte for byte."""
    with smtpd() as (inbox, port):
        cfg = _day(tmp_path, port, 12)
        assert main(["send", "--config", str(cfg), "--date", DAY.isoformat()]) == 0
    _, html, text = _parts(inbox.raw[0])
    view = _view(cfg)
    env = make_env(None)
    # the SMTP wire's line ends are CRLF
    assert html.replace("\r\n", "\n") == render_email_html(view, env=env, tz=UTC, locale=None)
    assert text.replace("\r\n", "\n") == render_text(view, env=env, tz=UTC, locale=None)
    assert "Too many stories" not in html and "by title only" not in text


@pytest.fixture(scope="module")
def day_of_90(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``feeds.yaml`` of a replayed day of 90 stories, for the tests that only read it
    (replayed once: 2-4 s)."""
    return _day(tmp_path_factory.mktemp("day90"), free_port(), 90)


def test_when_even_the_titles_do_not_fit_each_section_says_how_many_more(day_of_90: Path) -> None:
    """A budget a day's titles overflow: the day's first stories (each section's first) still
    in full, then as many titles as fit, and a line in each section counting the others; the
    footer still there, the HTML within budget (stop 36: the mail was titles only before)."""
    view = _view(day_of_90)
    budget = 12_000
    html, text = email_parts(view, tz=UTC, budget=budget)
    assert carried_size(html) <= budget
    full, listed = _titles_in_html(html)
    n = len(view.stories)
    title = {s.story_id: " ".join(s.title.split()) for s in view.stories}
    assert full == [title[i] for i in ranked(view)[:MIN_IN_FULL]]
    assert 0 < len(listed) < n - len(full)
    flat = " ".join(html.split())
    counted = sum(int(n) for n in re.findall(r"(\d+) more stor(?:y|ies) in \w+, not listed here", flat))
    assert counted == n - len(full) - len(listed)
    assert f"the first {len(full)} in full, {len(listed)} are listed by title only, {counted} not listed here" in flat
    assert "Dead Wire" in html and "Generated" in html
    named = set(full + listed)  # the text part: the same stories, in the digest's order
    assert _titles_in_text(text) == [title[s.story_id] for sec in view.sections for s in sec.stories
                                     if title[s.story_id] in named]


def test_a_budget_too_small_for_the_first_stories_lists_titles_only(day_of_90: Path) -> None:
    """Where even the first stories in full pass the budget, fewer are (none at worst) and the
    titles that fit are listed: the HTML stays within budget."""
    view = _view(day_of_90)
    order = ranked(view)
    one = carried_size(render_email_html(view, tz=UTC, fit=Fit(frozenset(order[:1]), frozenset())))
    budget = one + 1_000  # the first story in full and a few titles; not the first three in full
    first_three = Fit(frozenset(order[:MIN_IN_FULL]), frozenset())
    assert carried_size(render_email_html(view, tz=UTC, fit=first_three)) > budget
    html, text = email_parts(view, tz=UTC, budget=budget)
    assert carried_size(html) <= budget
    full, listed = _titles_in_html(html)
    assert len(full) < MIN_IN_FULL and listed
    assert sorted(_titles_in_text(text)) == sorted(full + listed)


def test_stories_get_a_place_in_full_by_turns_of_the_sections(tmp_path: Path) -> None:
    """Each section's first story, then each one's second: a section of few stories still has
    its first in full when the first section is long."""
    cfg = _day(tmp_path, free_port(), 30)
    view = _view(cfg)
    order = ranked(view)
    firsts = [sec.stories[0].story_id for sec in view.sections]
    seconds = [sec.stories[1].story_id for sec in view.sections]
    assert order[:3] == firsts and order[3:6] == seconds
    assert sorted(order) == sorted(s.story_id for s in view.stories)


def test_a_users_own_digest_template_still_gets_every_story(tmp_path: Path) -> None:
    """A ``digest.md.j2`` of the user's that knows nothing of ``shown`` and ``more`` lists
    every story in full, as before: none is lost to the budget."""
    cfg = _day(tmp_path, free_port(), 40)
    view = _view(cfg)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "digest.md.j2").write_text(
        "# {{ title|md }}\n\n{% for sec in sections %}{% for s in sec.stories %}"
        "{% include '_story.md.j2' %}\n\n{% endfor %}{% endfor %}", encoding="utf-8")
    html, text = email_parts(view, env=make_env(mine), tz=UTC, budget=8_000)
    full, _ = _titles_in_html(html)
    assert len(full) == len(view.stories)
    # the text part (the bundled digest.txt.j2) was made with the fit the search ended on,
    # no story at all: "0 are listed by title only, 18 not listed here" (the whole review)
    assert len(_titles_in_text(text)) == len(view.stories)
    assert "not listed here" not in text


@pytest.mark.slow  # 8 budgets, each fitted both ways: ~5 s (CI runs it, --run-slow)
def test_a_long_days_cut_is_the_one_the_halving_made_byte_for_byte(day_of_90: Path) -> None:
    """Stop 62: the count of stories in full (or of titles) is found from an estimate of each
    story's bytes, by two or three renderings instead of the halving's six to eight; the mail
    is the same, byte for byte, at budgets across the day's range, and at the edges of one
    story: a part exactly the budget fits, one byte over does not."""
    view = _view(day_of_90)
    order = ranked(view)
    least = carried_size(render_email_html(view, tz=UTC, fit=Fit(frozenset(), frozenset(order))))
    whole = carried_size(render_email_html(view, tz=UTC))
    k = len(order) // 3
    edge = carried_size(render_email_html(view, tz=UTC, fit=Fit(frozenset(order[:k]), frozenset(order[k:]))))
    budgets = [least + (whole - least) * share // 100 for share in (3, 41, 88)]
    budgets += [edge, edge - 1, least - 1, least // 3, EMAIL_HTML_BUDGET]
    for budget in budgets:
        assert email_parts(view, tz=UTC, budget=budget) == halved(view, budget, tz=UTC), budget
