"""``benchmarks.core_details`` (stop 65, issue #19): a story's core details are the rare terms
two of its reports state; a report carrying few of them (against what its group's others carry)
while most of its own rare terms are the story's nowhere is the one parted."""

import pytest

import benchmarks.core_details as cd


def _report(rid: str, text: str) -> dict[str, str]:
    return {"id": rid, "title": "Player arrested", "text": text, "published": "2012-01-25T12:00:00Z"}


ROWS = [
    _report("a", "Arrested on Highway 101 in a black Camaro after a stop at 2 a.m. for speeding."),
    _report("b", "Police stopped his black Camaro on Highway 101 for speeding."),
    _report("c", "The Camaro was stopped on Highway 101, speeding, the police said."),
    _report("d", "Arrested in Poway after a crash into a parked truck outside a nightclub."),
]
BACKGROUND = [_report(f"x{n}", f"Story {n}: the player was arrested, police said.") for n in range(6)]


def test_details_are_words_or_adjacent_pairs() -> None:
    assert {"highway", "101", "camaro", "speed"} <= cd.details(ROWS[1], "term")  # stems
    pairs = cd.details(ROWS[1], "bigram")
    assert "highway 101" in pairs and "black camaro" in pairs
    assert "stopped his" not in pairs  # a stopword breaks the pair


def test_a_report_of_another_event_carries_none_of_the_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cd, "FLOOR", 0.0)
    read = {r["id"]: cd.details(r, "term") for r in ROWS + BACKGROUND}
    rare = cd.rare_sets(ROWS + BACKGROUND, read, 0.3, False)  # ten reports: in three at most is rare
    core = cd.core_of(["a", "b", "c"], read, rare, "two", 0.0)
    assert {"highway", "101", "camaro"} <= core and "arrest" not in core  # in all four: not rare
    carry, own = cd.measure("d", ["a", "b", "c"], read, rare, "two", 0.0) or (1.0, 0.0)
    assert carry == 0.0 and own > 0.5
    carry_c, _own = cd.measure("c", ["a", "b", "d"], read, rare, "two", 0.0) or (0.0, 0.0)
    assert carry_c >= 0.8  # all but "black"


@pytest.mark.parametrize(("carry_below", "parted"), [(0.1, [3]), (0.0, [])])
def test_the_prototype_parts_the_report_carrying_least(carry_below: float, parted: list[int],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cd, "FLOOR", 0.0)
    read = {r["id"]: cd.details(r, "term") for r in ROWS + BACKGROUND}
    monkeypatch.setattr(cd, "READ", read)
    monkeypatch.setattr(cd, "RARE", cd.rare_sets(ROWS + BACKGROUND, read, 0.3, False))
    assert cd.flagged(["a", "b", "c", "d"], carry_below, 0.5) == parted


def test_rare_so_far_is_the_stream_as_it_stood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cd, "FLOOR", 0.0)
    rows = [{**r, "published": f"2012-01-{10 + n:02d}T12:00:00Z"} for n, r in enumerate(ROWS + BACKGROUND)]
    read = {r["id"]: cd.details(r, "term") for r in rows}
    # "police": in b, c and the six later background reports: rare to b and c when they came only
    assert "police" in cd.rare_sets(rows, read, 0.5, True)["b"]
    assert "police" not in cd.rare_sets(rows, read, 0.5, False)["b"]
