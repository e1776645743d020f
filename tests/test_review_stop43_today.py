"""Review of stop 43's changes (figures' scale, the cleaning speed-up).

* A figure written with a letter glued on and no currency sign ("1.5m people") keeps its number
  alone ("#1.5": it may be metres), where the same figure spelled out ("1.5 million people")
  keeps its scale ("#1.5m").  The two were one figure before the scale was kept; since, another
  outlet's copy or an entry's revision that writes one for the other was read as a figure
  changed: not a copy, and a line "**1.5 million** (was 1.5m)".  A figure written ambiguously
  now matches both its number alone and its number with the scale its letter may stand for.
* ``clean`` reads its numbers from ``digest.text.params`` when it runs ("a test that changes one
  patches ``digest.text.params``"): the site notes' word cap was worked out once at import, so a
  cap raised there was not seen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from digest.output.figures import figures, stated, written
from digest.output.news import copies_of, whats_new
from digest.output.reading import read_of
from digest.text import params as p
from digest.text.clean import classify_lines
from tests.test_figures_by_passage import _version

TITLE = "Floods in the north"
FLOODS = ("Floods across the north of the country have forced about {} people from their homes, "
          "officials said on Monday. Rescue teams were working through the night in the worst hit districts.")


@pytest.mark.parametrize(("before", "after"), [
    ("1.5m", "1.5 million"), ("1.5 million", "1.5m"), ("2m", "two million"), ("12k", "12 thousand"),
])
def test_a_figure_written_another_way_is_a_copy_not_news(before: str, after: str) -> None:
    earlier, new = [_version("a", FLOODS.format(before), TITLE)], [_version("b", FLOODS.format(after), TITLE)]
    assert copies_of(new, earlier, read_of(earlier)) == {"b"}


@pytest.mark.parametrize(("before", "after", "shown"), [
    ("1.5m", "2.5 million", "2.5 million"), ("2m", "2bn", "2bn"), ("$2m", "$2bn", "$2bn"),
    ("2 million", "2 billion", "2 billion"), ("30m", "30bn", "30bn"),
])
def test_a_figure_changed_in_number_or_scale_is_still_news(before: str, after: str, shown: str) -> None:
    earlier, new = [_version("a", FLOODS.format(before), TITLE)], [_version("b", FLOODS.format(after), TITLE)]
    read = read_of(earlier)
    assert copies_of(new, earlier, read) == set()
    assert shown in whats_new(new, earlier, TITLE, read=read)


@pytest.mark.parametrize(("text", "found", "shown"), [
    ("a $2-million grant", {"#2m"}, "$2-million"),  # Canadian style
    ("a 3-billion-dollar deal", {"#3bn"}, "3-billion"),
])
def test_a_scale_joined_by_a_hyphen_is_the_figure_s(text: str, found: set[str], shown: str) -> None:
    """"$2-million" was "#2" (its scale dropped): the same figure as "$2", another than "$2
    million" (a copy writing it so read as news), and "$2-million" become "$2-billion" no news."""
    assert figures(text) == found
    assert [written(text, at) for _fig, at in stated(text, 0, len(text))] == [shown]


@pytest.mark.parametrize(("before", "after", "copy"), [
    ("$2-million", "$2 million", True), ("$2-million", "$2-billion", False),
])
def test_a_hyphened_scale_against_another_version(before: str, after: str, copy: bool) -> None:
    earlier, new = [_version("a", FLOODS.format(before), TITLE)], [_version("b", FLOODS.format(after), TITLE)]
    read = read_of(earlier)
    assert (copies_of(new, earlier, read) == {"b"}) is copy
    if not copy:
        assert after in whats_new(new, earlier, TITLE, read=read)


def test_a_site_note_cap_raised_in_params_is_read_when_clean_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    line = "© " + " ".join(["Photographs and words by the regional archive of the northern coast"] * 4)
    assert 40 < len(line.split()) < 60
    assert classify_lines(line) == [(line, None)]
    monkeypatch.setattr(p, "COPYRIGHT_WORDS", 60)
    assert classify_lines(line) == [(line, "copyright")]


SCRIPT = """
import sys
from pathlib import Path
from digest.output.render import make_env, render_markdown
from tests.test_render import _view
print(render_markdown(_view(2), env=make_env(Path(sys.argv[1]))))
"""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root, to read as another user")
def test_a_template_folder_one_may_open_files_in_but_not_list_is_still_read() -> None:
    """A folder of mode 711 (another user's, say): its templates were read (Jinja2 opens them by
    name), where listing it to key the shared environment failed with a traceback."""
    top = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        top.chmod(0o755)
        folder = top / "templates"
        folder.mkdir()
        (folder / "_story.md.j2").write_text("### {{ s.title|md }} (mine)\n\n")
        (folder / "_story.md.j2").chmod(0o644)
        folder.chmod(0o711)
        run = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                              "-c", SCRIPT, str(folder)], capture_output=True, text=True, cwd=Path(__file__).parent.parent,
                             env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, timeout=120)
        assert run.returncode == 0, run.stderr[-600:]
        assert "### Story number 5 (mine)" in run.stdout
    finally:
        shutil.rmtree(top)
