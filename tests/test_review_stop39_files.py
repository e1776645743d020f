"""Review stop 39: a folder source read day after day (files edited, renamed, copied).

A file of a folder is one entry, known by its place in the folder: edited in place it is
that entry updated (``digest.revisions``: a typo fixed shows nothing, a paragraph added is
its outlet's revision, listed once), and a run meets a file it read before without
cleaning it again.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from digest.app import open_app
from tests.support.cleaning import count_cleaned

FERRY = """Ferry aground: passengers describe a jolt and then silence

Passengers on the ferry Aurora described a sudden jolt followed by silence when the vessel ran onto a sandbar near Kestrel Point in fog on Friday morning.

"The engines stopped and for a minute nobody said anything," said Marta Kowalczyk, who was travelling from Port Halden to visit her sister. All 212 passengers and 14 crew were taken off by two Coastguard lifeboats and a fishing trawler.

Coastguard captain Ines Morrow praised the crew for keeping people calm. Three passengers were treated for mild hypothermia at Halden General Hospital.
"""

LIBRARY = """---
title: Late fees are gone at Halden's libraries
date: 2026-11-20T12:15:00Z
---
From January 1 Halden's six public libraries will no longer charge late fees, the city's culture department announced on Friday.

Library director Amira Haddad said the fines raised only 38,000 euros a year while putting families off borrowing. Books that are more than eight weeks overdue will still need to be replaced.
"""

ADDED = """
Bluewater Lines said on Saturday that salvage crews had refloated the Aurora on the morning high tide and that sailings to Kestrel Point would resume on Tuesday after a hull inspection by divers.
"""


def _setup(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ferry.txt").write_text(FERRY)
    (notes / "library.md").write_text(LIBRARY)
    return notes


def _run(tmp_path: Path, day: int) -> None:
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        f"clock: 2026-11-{day:02d}T20:00:00Z\nsources:\n  - name: Notes\n    path: notes\n"
        "output_dir: out\ndata_dir: data\ntimezone: UTC\n"
    )
    with open_app(cfg) as app:
        app.run()


def _view(tmp_path: Path, day: int):  # type: ignore[no-untyped-def]
    with open_app(tmp_path / "feeds.yaml") as app:
        return app.build_view(date(2026, 11, day))


def test_a_typo_fixed_in_a_file_shows_nothing_the_next_day(tmp_path: Path) -> None:
    notes = _setup(tmp_path)
    _run(tmp_path, 20)
    assert len(_view(tmp_path, 20).stories) == 2
    (notes / "ferry.txt").write_text(FERRY.replace("Kowalczyk", "Kowalczik"))
    _run(tmp_path, 21)
    assert _view(tmp_path, 21).stories == []  # not "also reported since: now also Notes"


def test_a_paragraph_added_to_a_file_is_its_revision_listed_once(tmp_path: Path) -> None:
    notes = _setup(tmp_path)
    _run(tmp_path, 20)
    (notes / "ferry.txt").write_text(FERRY + ADDED)
    _run(tmp_path, 21)
    [story] = _view(tmp_path, 21).stories
    assert story.status == "developing"
    assert "refloated" in story.whats_new
    assert "refloated" in story.lead.text
    assert [v.source for v in story.also] == []  # the file is one report, not two of Notes


def test_a_title_changed_in_front_matter_is_the_files_new_headline(tmp_path: Path) -> None:
    notes = _setup(tmp_path)
    _run(tmp_path, 20)
    (notes / "library.md").write_text(LIBRARY.replace(
        "title: Late fees are gone at Halden's libraries", "title: Halden scraps library late fees from January"))
    _run(tmp_path, 21)
    [story] = _view(tmp_path, 21).stories
    assert story.lead.title == "Halden scraps library late fees from January"
    assert story.also == []


def test_a_file_renamed_moved_copied_or_deleted_shows_nothing(tmp_path: Path) -> None:
    notes = _setup(tmp_path)
    _run(tmp_path, 20)
    (notes / "sub").mkdir()
    (notes / "ferry.txt").rename(notes / "sub" / "ferry-aground.txt")
    shutil.copy(notes / "library.md", notes / "library copy.md")
    shutil.copy(notes / "library.md", notes / "sub" / "library.md")
    _run(tmp_path, 21)
    (notes / "library.md").unlink()
    _run(tmp_path, 22)
    assert _view(tmp_path, 21).stories == [] and _view(tmp_path, 22).stories == []
    assert len(_view(tmp_path, 20).stories) == 2  # what was stored stays


def test_a_file_read_before_is_not_cleaned_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(tmp_path)
    _run(tmp_path, 20)
    cleaned = count_cleaned(monkeypatch)
    _run(tmp_path, 21)
    assert cleaned == []


def test_a_store_that_knew_the_files_by_their_text_shows_nothing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from digest.sources import localfiles

    _setup(tmp_path)
    real = localfiles.read_file

    def before(f, **kw):  # type: ignore[no-untyped-def]  # as read before stop 39: keyed by text
        return [dataclasses.replace(e, entry_id=None, former=None) for e in real(f, **kw)]

    monkeypatch.setattr(localfiles, "read_file", before)
    _run(tmp_path, 20)
    monkeypatch.setattr(localfiles, "read_file", real)
    _run(tmp_path, 21)
    assert len(_view(tmp_path, 20).stories) == 2
    assert _view(tmp_path, 21).stories == []


def _two_sources(tmp_path: Path, day: int, notes: str = "notes") -> Path:
    feed = tmp_path / "herald.rss"
    if not feed.exists():
        shutil.copy(Path(__file__).parent.parent / "examples" / "feeds" / "harbor-herald.rss", feed)
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text(
        f"clock: 2026-11-{day:02d}T20:00:00Z\nsources:\n  - name: Herald\n    path: herald.rss\n"
        f"  - name: Notes\n    path: {notes}\noutput_dir: out\ndata_dir: data\ntimezone: UTC\n"
    )
    return cfg


def test_a_folder_gone_fails_alone_and_comes_back_with_nothing_new(tmp_path: Path) -> None:
    notes = _setup(tmp_path)
    with open_app(_two_sources(tmp_path, 20)) as app:
        app.run()
    notes.rename(tmp_path / "away")  # the drive is not mounted
    with open_app(_two_sources(tmp_path, 21)) as app:  # not a configuration error
        report = app.run()
        assert [(e.source, "no such file or folder" in e.problem) for e in report.errors] == [("Notes", True)]
        assert len(app.build_view(date(2026, 11, 20)).stories) >= 2  # stored articles stay
    (tmp_path / "away").rename(notes)
    with open_app(_two_sources(tmp_path, 22)) as app:
        assert app.run().errors == []
        assert app.build_view(date(2026, 11, 22)).stories == []  # nothing shown again


def test_a_path_never_read_that_is_missing_is_still_a_configuration_error(tmp_path: Path) -> None:
    from digest.errors import ConfigError

    _setup(tmp_path)
    with open_app(_two_sources(tmp_path, 20)) as app:
        app.run()
    cfg = _two_sources(tmp_path, 21, notes="notse")
    with pytest.raises(ConfigError, match=r"feeds.yaml:6: sources\[1\].path: no such file or folder"), open_app(cfg):
        pass


def test_a_running_daemon_takes_its_file_with_a_folder_gone_and_refuses_a_new_missing_path(
    tmp_path: Path,
) -> None:
    from digest.config import load_config
    from digest.service.reload import ConfigWatch, take

    notes = _setup(tmp_path)
    old = load_config(_two_sources(tmp_path, 20))
    watch = ConfigWatch(old)
    notes.rename(tmp_path / "away")
    assert take(old, watch, asked=True) is not None  # the drive not mounted: the source fails alone
    (tmp_path / "away").rename(notes)
    _two_sources(tmp_path, 20, notes="notse")
    assert take(old, watch, asked=True) is None  # a typo: the running configuration stays


def test_front_matter_that_does_not_read_is_one_line_naming_the_file_and_the_article_stays(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notes = _setup(tmp_path)
    # a colon left unquoted in the title: YAML refuses the block, the title is read as written
    (notes / "bridge.md").write_text(
        "---\ntitle: Council votes: yes to the bridge\ndate: 2026-11-20T09:00:00Z\n---\n"
        "Halden's council voted 8-3 on Thursday to build a cycle bridge over the Mere river.\n"
    )
    with caplog.at_level("WARNING"):
        _run(tmp_path, 20)
    lines = [r.getMessage() for r in caplog.records if "front matter" in r.getMessage()]
    assert lines == [
        "Notes: bridge.md: its front matter is not valid YAML (mapping values are not allowed here, "
        "line 2 of the file); title read as written (quote a value holding ': ')"
    ]
    assert len(_view(tmp_path, 20).stories) == 3  # read all the same, beside the others
    caplog.clear()
    with caplog.at_level("WARNING"):
        _run(tmp_path, 21)  # said once, not at every run while it lasts
    assert not [r for r in caplog.records if "front matter" in r.getMessage()]
    with open_app(tmp_path / "feeds.yaml") as app:
        state = app.store.get_source_state("Notes")
    assert state is not None and state.note is not None and "bridge.md: its front matter is not valid YAML" in state.note
