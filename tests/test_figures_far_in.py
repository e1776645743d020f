"""A figure changed far into a long passage is in the line: the line of a version new by a
figure alone was the passage cut at ``WHATS_NEW_CHARS``, so a toll raised at the end of a long
sentence left a line without its figure, nothing marked and nothing said of what it was.  Now
such a line begins a little before the first changed figure, after "… ".  (A passage of several
sentences begins at its first sentence not read already: ``news._from_unread``.)"""

from __future__ import annotations

from digest.output.news import WHATS_NEW_CHARS, figures_told, whats_new
from digest.output.reading import read_of
from tests.test_figures_by_passage import _version

TITLE = "Springfield plant shooting"
LONG = ("Police said on Sunday that the gunman, a former employee of the packing plant on the east side of "
        "Springfield who had been dismissed last month after a long dispute with his supervisor over missed "
        "shifts and pay, walked into the loading bay shortly after the night shift began and opened fire, "
        "killing three people and wounding 11 others before he was arrested by officers who arrived within "
        "minutes.")
AFTER = " The plant will stay closed until Wednesday, its owner said in a statement to workers and their families."


def _line(first: str, then: str) -> tuple[str, list[tuple[str, str | None]]]:
    earlier, new = [_version("a", first, TITLE)], [_version("b", then, TITLE)]
    read = read_of(earlier)
    line = whats_new(new, earlier, TITLE, read=read)
    return line, [(line[a:b], was) for a, b, was in figures_told(line, new[0], read)]


def test_a_toll_raised_at_the_end_of_a_long_sentence_is_in_the_line_and_said() -> None:
    assert len(LONG) > WHATS_NEW_CHARS and LONG.index("three") > WHATS_NEW_CHARS
    line, told = _line(LONG + AFTER, LONG.replace("killing three", "killing four") + AFTER)
    assert len(line) <= WHATS_NEW_CHARS + 4
    assert line.startswith("… ") and "killing four people and wounding 11" in line, line
    assert told == [("four", "three")]


def test_a_figure_within_the_first_chars_keeps_the_line_from_the_passage_start() -> None:
    line, told = _line(LONG + AFTER, LONG.replace("Sunday that the gunman", "Sunday that the 2 gunmen") + AFTER)
    assert line.startswith("Police said on Sunday") and line.endswith(" …")
    assert [shown for shown, _was in told] == ["2"]
