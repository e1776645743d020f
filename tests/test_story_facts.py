"""``benchmarks.story_facts`` (stop 64, issue #19): a report is set against what most of its
story's other reports state, not against one of them, and a story's silent reports count
only where asked (``most-story``)."""

import pytest

import benchmarks.story_facts as sf


def _report(rid: str, text: str, published: str = "2012-01-25T12:00:00Z") -> dict[str, str]:
    return {"id": rid, "title": "Player arrested", "text": text, "published": published}


def test_most_against_all_and_the_silent_reports() -> None:
    # two stating reports at 1:30 a.m., one at 2:30 a.m.; the new one says 2:30 a.m.
    at_130, at_230 = sf.reading("clock", _report("a", "at 1:30 a.m. .")), sf.reading("clock", _report("b", "at 2:30 a.m. ."))
    got = sf.flags("clock", at_230, [at_130, at_130, at_230], 3, 0, 1)
    assert got == {"any", "most", "most-story"}
    # the same, with five silent reports beside them: most of the story states nothing
    assert sf.flags("clock", at_230, [at_130, at_130, at_230], 8, 0, 1) == {"any", "most"}
    # one stating report against it is every one, and most of the stating ones
    assert sf.flags("clock", at_230, [at_130], 1, 0, 1) == {"any", "all", "most", "most-story"}
    assert sf.flags("clock", at_230, [at_130], 1, 0, 2) == set()  # fewer than --least state one


def test_a_day_a_day_off_passes_within_the_tolerance() -> None:
    mon = sf.reading("day", _report("a", "The arrest came on Monday ."))
    tue = sf.reading("day", _report("b", "The arrest came on Tuesday ."))
    assert tue - mon == 1
    assert sf.flags("day", tue, [mon, mon], 2, 0, 1) == {"any", "all", "most", "most-story"}
    assert sf.flags("day", tue, [mon, mon], 2, 1, 1) == set()


@pytest.mark.parametrize(("mode", "parted"), [("clock", [3]), ("two", [])])
def test_the_prototype_parts_a_report_most_of_its_group_contradicts(
    mode: str, parted: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [_report("a", "at 1:30 a.m. ."), _report("b", "at 1:30 a.m. ."), _report("c", "at 1:30 a.m. ."),
            _report("d", "at 2:30 a.m. ."), _report("e", "No time stated .")]
    monkeypatch.setattr(sf, "READ", {r["id"]: {f: sf.reading(f, r) for f in sf.FACTS} for r in rows})
    assert sf.flagged([r["id"] for r in rows], mode, 0, 3) == parted
