"""Template environments are shared (compiled once a process), and a user's folder is read
as it stands at each digest: an edit, a partial added or removed between two digests shows
in the next one, as when each digest made its own environment."""

from __future__ import annotations

import os
from pathlib import Path

from digest.output.render import make_env, render_html, render_markdown
from tests.test_render import _view as view

PARTIAL = "### {{ s.title|md }} ({{ mark }})\n\n"


def _view():  # type: ignore[no-untyped-def]
    return view(2)


def _bump(path: Path, seconds: int) -> None:
    """Move ``path``'s modification time on, as a later edit by hand would."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 1_000_000_000))


def test_one_environment_serves_every_digest_of_the_same_folders(tmp_path: Path) -> None:
    assert make_env() is make_env()
    (tmp_path / "_story.md.j2").write_text(PARTIAL.replace("{{ mark }}", "mine"))
    assert make_env(tmp_path) is make_env(tmp_path)
    assert make_env(tmp_path) is not make_env()


def test_a_template_edited_between_two_digests_is_read_again(tmp_path: Path) -> None:
    story = tmp_path / "_story.md.j2"
    story.write_text(PARTIAL.replace("{{ mark }}", "first"))
    assert "### Story number 5 (first)" in render_markdown(_view(), env=make_env(tmp_path))
    story.write_text(PARTIAL.replace("{{ mark }}", "again"))  # the same size
    _bump(story, 2)
    out = render_markdown(_view(), env=make_env(tmp_path))
    assert "### Story number 5 (again)" in out and "(first)" not in out


def test_a_partial_added_then_removed_between_digests_is_used_then_not(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("the user's folder holds other files too")
    before = render_markdown(_view(), env=make_env(tmp_path))
    assert "(custom)" not in before and "articles read" in before
    story = tmp_path / "_story.md.j2"
    story.write_text(PARTIAL.replace("{{ mark }}", "custom"))
    assert "### Story number 5 (custom)" in render_markdown(_view(), env=make_env(tmp_path))
    assert "<h3>Story number 5 (custom)</h3>" in render_html(_view(), env=make_env(tmp_path))
    story.unlink()
    assert render_markdown(_view(), env=make_env(tmp_path)) == before


def test_a_template_in_a_subfolder_edited_is_read_again(tmp_path: Path) -> None:
    """Subfolders are not in the folder's listing: Jinja2's own check of a template's file
    reads the edit."""
    (tmp_path / "parts").mkdir()
    part = tmp_path / "parts" / "line.md.j2"
    part.write_text("one {{ date }}\n")
    (tmp_path / "digest.md.j2").write_text('{% include "parts/line.md.j2" %}')
    assert render_markdown(_view(), env=make_env(tmp_path)) == "one 2024-05-01\n"
    part.write_text("two {{ date }}\n")
    _bump(part, 2)
    assert render_markdown(_view(), env=make_env(tmp_path)) == "two 2024-05-01\n"
