"""A source with nothing new costs no engine: a run over unchanged local files never rebuilds it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.config import MakeApp

NOW = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
WIDE = "dedup:\n  window_days: 36500\n"


def _write(folder: Path, name: str, title: str, body: str) -> None:
    (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def test_unchanged_files_are_skipped_before_the_engine_is_rebuilt(tmp_path: Path, make_app: MakeApp) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    _write(folder, "a.txt", "Harbour bridge closes for repairs",
           "The harbour bridge will close for three weeks of repairs, the council said on Monday. "
           "Ferries will run every ten minutes while the work goes on.")
    _write(folder, "b.txt", "Library opens new wing",
           "The city library opened its new wing on Tuesday with room for forty thousand books "
           "and a reading garden on the roof.")
    with make_app(tmp_path, {"Notes": folder}, WIDE) as app:
        first = app.run(now=NOW)
        assert first.new_articles == 2 and not first.errors
    # a new process (as cron runs `digest run`): nothing new, so no engine is built
    with make_app(tmp_path, {"Notes": folder}, WIDE) as app:
        again = app.run(now=NOW)
        assert again.new_articles == 0 and again.entries == 2 and not again.errors
        assert app._engine is None
    # one new file among the unchanged ones: only it is clustered
    _write(folder, "c.txt", "Harbour bridge repairs finish early",
           "Repairs to the harbour bridge finished a week early and it reopened on Friday, "
           "the council said.")
    with make_app(tmp_path, {"Notes": folder}, WIDE) as app:
        third = app.run(now=NOW)
        assert third.new_articles == 1 and not third.errors
        assert app._engine is not None and len(app._engine) == 3


def test_a_copy_twice_in_one_batch_is_shown_once(tmp_path: Path, make_app: MakeApp) -> None:
    """Two files are two entries (stop 39: a file is known by its place in the folder); the
    second, word for word the first, is a page its channel listed already: shown once."""
    folder = tmp_path / "notes"
    folder.mkdir()
    body = ("The harbour bridge will close for three weeks of repairs, the council said on Monday. "
            "Ferries will run every ten minutes while the work goes on.")
    _write(folder, "a.txt", "Harbour bridge closes for repairs", body)
    _write(folder, "b.txt", "Harbour bridge closes for repairs", body)
    with make_app(tmp_path, {"Notes": folder}, WIDE) as app:
        report = app.run(now=NOW)
        assert report.entries == 2 and report.new_articles == 2 and not report.errors
        view = app.build_view(NOW.date())
        [story] = view.stories
        assert story.also == [] and view.duplicates_collapsed == 1
