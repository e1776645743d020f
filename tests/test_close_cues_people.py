"""The person-name reader of ``benchmarks.close_cues``' people cue (issue #19, stop 55)."""

from benchmarks.close_cues import conflict, features, people


def test_a_name_in_a_headline() -> None:
    assert people("Mark Felt dies at 95") == {"Mark Felt"}
    assert people("Fred LaRue dies, Watergate figure") == {"Fred LaRue"}


def test_no_person_in_an_institution_a_place_or_a_day() -> None:
    assert people("The White House said on Monday") == frozenset()
    assert people("Quake hits in Southern Iran on December 14") == frozenset()
    assert people("Microsoft Internet Explorer patched by Tuesday") == frozenset()


def test_honorifics_and_titles() -> None:
    assert people("Hello, Mr. Thomas.") == {"Thomas"}
    assert people("Even interim coach Bruce Arians had been dancing") == {"Bruce Arians"}
    assert people("Alaska Gov. Sarah Palin attends church") == {"Sarah Palin"}
    assert people("Arcade Joseph Comeaux Jr. escaped") == {"Arcade Joseph Comeaux"}


def test_two_deaths_in_one_circle_conflict_and_one_death_told_twice_does_not() -> None:
    felt = {"title": "Mark Felt dies at 95", "text": "The former FBI official died on Thursday."}
    larue = {"title": "Fred LaRue dies", "text": "The Watergate figure died in a motel."}
    felt2 = {"title": "Deep Throat's Mark Felt dies", "text": "Felt, 95, died at home."}
    a, b, c = (features("people", r, 0) for r in (felt, larue, felt2))
    assert conflict("people", a, b)
    assert not conflict("people", a, c)


def test_the_subject_kept_and_a_source_left_out() -> None:
    from benchmarks.close_cues import named_people

    text = ('A girl was shot, police said. "A senseless act," police spokesman Joe Silva said. '
            "By Sam Cholke. Jose Nunez, 32, was named.")
    assert named_people(text) == ["Joe Silva", "Sam Cholke", "Jose Nunez"]
    assert named_people(text, subjects=True) == ["Jose Nunez"]
