"""The whole-change review's findings (stop 36): where this session's parallel changes met.
Each test failed on the code as merged; the docstring says what the user got before."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from digest.app import open_app
from digest.config import EmailConfig
from digest.output.mailer import subject_for
from digest.records import ALSO_REPORTED, RunReport
from tests.test_review_stop36_developing import replayed, stream


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
