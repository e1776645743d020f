"""``benchmarks.office_cue`` and ``benchmarks.close_cues --cue offices`` (stop 62, issue #19):
the harness reads the engine's offices (``digest.dedup.offices``) of the title and whole text.
One qualified office named with two holders flags a pair; a bare office, a former holder, a
holder the other report names too, or one surname spelled two ways does not."""

import benchmarks.close_cues as cc
from benchmarks.office_cue import reading


def offices(text: str) -> dict[str, frozenset[str]]:
    got = reading({"title": "", "text": text})
    return {} if got is None else got.held

BUSH = ("Interior Secretary Dirk Kempthorne announced major changes Thursday to the Endangered "
        "Species Act, six weeks before the new administration takes office.")
OBAMA = ("Interior Secretary Ken Salazar rescinded eleventh-hour Bush administration changes to "
         "Endangered Species Act regulations.")


def _r(text: str, title: str = "Endangered species rule") -> dict[str, str]:
    return {"title": title, "text": text}


def test_two_holders_of_one_office_conflict() -> None:
    assert offices(BUSH) == {"interior secretary": frozenset({"Kempthorne"})}
    a, b = cc.features("offices", _r(BUSH), 400), cc.features("offices", _r(OBAMA), 400)
    assert cc.conflict("offices", a, b)
    assert not cc.conflict("offices", a, cc.features("offices", _r(BUSH.replace("Thursday", "Friday")), 400))


def test_a_holder_the_other_names_or_spells_otherwise_does_not_conflict() -> None:
    handover = OBAMA + " He replaced Dirk Kempthorne."
    assert not cc.conflict("offices", cc.features("offices", _r(BUSH), 400), cc.features("offices", _r(handover), 400))
    a = cc.features("offices", _r("Turkmen President Gurbanguly Berdymukhamedov voted."), 400)
    b = cc.features("offices", _r("Turkmen President Gurbanguly Berdimuhamedov voted."), 400)
    assert a is not None and b is not None and not cc.conflict("offices", a, b)


def test_bare_or_former_offices_are_not_read() -> None:
    assert offices("President Kiir met President Omar; coach Childress praised the defence.") == {}
    assert offices("The former Interior Secretary Gale Norton and then-Colts coach Tony Dungy spoke.") == {}
    assert offices("New York Mayor Michael Bloomberg spoke.") == {"new york mayor": frozenset({"Bloomberg"})}
    assert offices("The Colts coach Tony Dungy spoke.") == {"colts coach": frozenset({"Dungy"})}
    assert cc.features("offices", _r("No office is named here."), 400) is None


def test_one_person_elected_in_one_and_in_office_in_the_other_conflicts() -> None:
    before = _r("Just six weeks before President-elect Barack Obama takes office, the rules change.")
    after = _r("President Barack Obama overturned the rule on Tuesday.")
    a, b = cc.features("offices", before, 400), cc.features("offices", after, 400)
    assert cc.conflict("offices", a, b) and cc.conflict("offices", b, a)
    assert not cc.conflict("offices", a, cc.features("offices", before, 400))
    assert cc.features("offices", _r("Former President Barack Obama spoke."), 400) is None
    assert not cc.conflict("offices", a, cc.features("offices", _r("President George Bush signed it."), 400))
