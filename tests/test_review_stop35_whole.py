"""Review of the whole stop-35 change: defects found across its parts, each pinned here."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from digest.output.mailsize import email_parts
from digest.output.render import make_env
from tests.support.daemon import free_port
from tests.test_review_stop35_mailsize import _day, _titles_in_html, _titles_in_text, _view


def test_a_users_own_digest_template_keeps_every_story_in_the_text_part_too(tmp_path: Path) -> None:
    """A ``digest.md.j2`` of the user's that knows nothing of ``shown`` sends every story in
    full in the HTML part; the text part (the bundled ``digest.txt.j2``) was made with the
    fit the search ended on, no story at all: "0 are listed by title only, 18 not listed"."""
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
    assert len(_titles_in_text(text)) == len(view.stories)
    assert "not listed here" not in text
