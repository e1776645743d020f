"""Stop 64: a new user's review (docs/evaluation.md, "Stop 64: a new user's review").

Each test reproduces what a daily reader or an operator tripped on, through the command line
as they met it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from tests.support.examples import copy_examples


def _folder_config(tmp_path: Path) -> Path:
    """A configuration whose one source is a folder holding one good note, an empty one and an
    image named ``.txt``."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "good.md").write_text(
        "# Library late fees scrapped\n\nHalden's six public libraries will stop charging late "
        "fees from January, the culture department said on Friday.\n"
    )
    (notes / "empty.md").write_text("\n")
    (notes / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Notes\n    path: notes\ntimezone: UTC\nclock: 2026-11-20T20:00:00Z\n")
    return cfg


def test_a_folders_unreadable_files_are_not_counted_as_failed_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One folder source read, two of its files not: the summary said "1 source, ..., 2 failed"."""
    cfg = _folder_config(tmp_path)
    assert main(["run", "-q", "--config", str(cfg)]) == 1  # each file one error line, as before
    err = capsys.readouterr().err
    assert "error: Notes: empty.md: empty article" in err
    summary = next(line for line in err.splitlines() if line.startswith("1 source, "))
    assert "0 failed, 2 files not read (" in summary, summary
    assert "1 new article" in summary


def test_digest_remove_takes_a_name_of_several_words_unquoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest remove Wire A`` (a name as ``digest sources`` lists it, typed without quotes) was
    a usage error, "unrecognized arguments: A"."""
    (tmp_path / "a.rss").write_text("<rss version='2.0'><channel><title>A</title></channel></rss>")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Wire A\n    path: a.rss\n  - name: Wire B\n    path: a.rss\n")
    assert main(["remove", "--config", str(cfg), "wire", "a"]) == 0
    assert "removed 'Wire A'" in capsys.readouterr().out
    assert cfg.read_text() == "sources:\n  - name: Wire B\n    path: a.rss\n"


def test_sources_resume_takes_a_name_of_several_words_unquoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``digest sources --resume Wire A`` was a usage error, "unrecognized arguments: A"."""
    (tmp_path / "a.rss").write_text("<rss version='2.0'><channel><title>A</title></channel></rss>")
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: Wire A\n    path: a.rss\n  - name: Wire B\n    path: a.rss\n")
    assert main(["run", "-q", "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["sources", "--config", str(cfg), "--resume", "Wire", "A", "--resume", "Wire B"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["Wire A: not paused (ok): nothing to resume", "Wire B: not paused (ok): nothing to resume"]


@pytest.mark.parametrize(
    ("command", "nothing"),
    [(["search", "storm"], "nothing searched"), (["explain", "abc"], "nothing to explain"),
     (["prune", "--dry-run", "--keep-days", "70"], "nothing to prune")],
)
def test_a_read_before_any_run_says_there_is_no_store_and_makes_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], nothing: str
) -> None:
    """``digest search`` (explain, prune) before any run, or with a ``data_dir:`` typo, made an
    empty store and answered from it: "no story matches 'storm'", exit 1."""
    cfg = _folder_config(tmp_path)
    assert main([*command, "--config", str(cfg)]) == 2
    store = tmp_path / "data" / "digest.sqlite3"
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: no store yet at {store}: run `digest run` first ({nothing})")
    assert not (tmp_path / "data").exists()


def test_a_bare_feed_url_under_sources_says_how_to_write_it_not_a_class_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sources:`` as a list of feed URLs, a new user's first guess, was "sources[0]: Input should
    be a valid dictionary or instance of SourceConfig"."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - https://example.com/feed.xml\n  - notes\nemail: yes\n")
    assert main(["run", "-q", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "SourceConfig" not in err and "EmailConfig" not in err
    assert (f"{cfg}:2: sources[0]: needs a name and a url or path, not 'https://example.com/feed.xml': "
            "write '- name: NAME' and under it, indented, 'url: https://example.com/feed.xml'") in err
    assert "sources[1]: needs a name and a url or path, not 'notes': " in err and "'path: notes'" in err
    assert f"{cfg}:4: email: needs keys under it, indented, not True" in err


def test_a_section_or_source_left_empty_is_nothing_not_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``fetch:`` with its keys commented out, a lone ``-`` under ``sources:``: the lines said "not
    None" (Python's word, not the file's), where a list left empty says "not nothing" (stop 64's
    review of the review)."""
    cfg = tmp_path / "feeds.yaml"
    cfg.write_text("sources:\n  - name: A\n    url: https://a.example/f.xml\n  -\nfetch:\n#  timeout: 5\n")
    assert main(["run", "-q", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "None" not in err
    assert f"{cfg}:4: sources[1]: needs a name and a url or path ('- name: NAME' and under it 'url: ...'), not nothing" in err
    assert f"{cfg}:5: fetch: needs keys under it, indented, not nothing" in err

def test_a_new_sources_earlier_news_says_how_many_outlets_each_story_had(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The examples read for the first time weeks after their day: the heading said "12
    duplicates collapsed" over nine one-line stories, none of which said it had other versions
    (the ferry's four outlets, the recall's four)."""
    cfg = copy_examples(tmp_path)
    cfg.write_text(cfg.read_text().replace("clock: 2026-11-20T20:00:00Z", "clock: 2026-12-07T20:00:00Z"))
    assert main(["run", "-q", "--config", str(cfg)]) == 0
    md = (tmp_path / "out" / "digest-2026-12-07.md").read_text().replace("\u00a0", " ")  # its non-breaking spaces
    assert "**12** duplicates collapsed · + **9** earlier stories first read in this digest" in md
    lines = {line.split("](")[0].removeprefix("- ["): line for line in md.splitlines() if line.startswith("- ")}
    assert lines["Ferry Aurora runs aground near Kestrel Point; all 212 passengers safe"].endswith(
        " · Valley Wire · Fri 20 Nov, 08:05 UTC · 4 outlets")
    assert lines["Gale warning as Storm Corrin heads for the coast"].endswith(" · Fri 20 Nov, 15:30 UTC")  # one
    shown = [line.rsplit(" · ", 1)[-1] for line in lines.values() if "outlets" in line]
    assert sorted(shown) == sorted(["4 outlets", "4 outlets", "3 outlets"] + ["2 outlets"] * 4)
