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

import pytest

from digest.output.news import copies_of, read_of, whats_new
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


def test_a_site_note_cap_raised_in_params_is_read_when_clean_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    line = "© " + " ".join(["Photographs and words by the regional archive of the northern coast"] * 4)
    assert 40 < len(line.split()) < 60
    assert classify_lines(line) == [(line, None)]
    monkeypatch.setattr(p, "COPYRIGHT_WORDS", 60)
    assert classify_lines(line) == [(line, "copyright")]
