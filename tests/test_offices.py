"""Who holds an office, as the article says it (``digest.dedup.offices``, ``Params.office_factor``,
stop 62, issue #19): two rulings on one law under two administrations, told alike, differ in
who holds the offices ("President-elect Barack Obama" and "Interior Secretary Dirk Kempthorne"
against "President Barack Obama" and "Interior Secretary Ken Salazar"); rewrites of one report
name the same holders.  Their link counts a fifth."""

from __future__ import annotations

import difflib
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from digest.dedup.engine import Doc, Engine, Params
from digest.dedup.offices import (
    OFFICES,
    _one_spelling,
    comparable,
    conflict,
    office_factor,
    read_offices,
)
from digest.dedup.params import OFFICE_SPELLING
from digest.dedup.regrouping import pair_factors
from tests.support.engines import live_and_rebuilt, stories_made

#: Two rulings on one rule, two reports each (rewrites, not copies), worded alike: who holds the
#: offices is what tells them apart.  Without the cue the four are one story in every order.
RULINGS = {
    "a1": ("Interior changes endangered species consultation rule",
           "Interior Secretary Dirk Kempthorne on Thursday announced a change to the Endangered Species Act "
           "rule on consultations, weeks before President-elect Barack Obama takes office. Federal agencies "
           "will no longer have to consult wildlife scientists at the Fish and Wildlife Service before "
           "approving road, mine and dam projects. Environmental groups said the change strikes at the heart "
           "of the law and vowed to sue. The consultation rule has protected endangered animals and plants "
           "for decades, the groups said."),
    "a2": ("Endangered species consultation rule changed by Interior",
           "Weeks before President-elect Barack Obama takes office, the Interior Department changed how the "
           "Endangered Species Act is applied. Interior Secretary Dirk Kempthorne said on Thursday that "
           "agencies may now decide for themselves whether dams, mines and roads harm endangered species, "
           "without a review by Fish and Wildlife Service scientists. Environmental groups called the "
           "consultation change an attack on the law protecting animals and plants."),
    "b1": ("Interior changes endangered species consultation rule again",
           "Interior Secretary Ken Salazar on Tuesday announced a change to the Endangered Species Act rule "
           "on consultations, as President Barack Obama had asked. Federal agencies will again have to "
           "consult wildlife scientists at the Fish and Wildlife Service before approving road, mine and dam "
           "projects. Environmental groups said the change restores the heart of the law. The consultation "
           "rule protects endangered animals and plants, the groups said."),
    "b2": ("Endangered species consultation rule changed by Interior again",
           "As President Barack Obama had asked, the Interior Department changed how the Endangered Species "
           "Act is applied. Interior Secretary Ken Salazar said on Tuesday that agencies may no longer decide "
           "for themselves whether dams, mines and roads harm endangered species, without a review by Fish "
           "and Wildlife Service scientists. Environmental groups called the consultation change a victory "
           "for the law protecting animals and plants."),
}
DOCS = {k: Doc(id=k, title=t, text=x) for k, (t, x) in RULINGS.items()}
ON = Params(office_factor=0.2)


def _stories(order: tuple[str, ...], params: Params) -> set[frozenset[str]]:
    return stories_made(DOCS, order, params)


def test_two_rulings_on_one_law_under_two_administrations_are_two_stories() -> None:
    orders = list(itertools.permutations(DOCS))
    for order in orders:
        assert _stories(order, ON) == {frozenset(("a1", "a2")), frozenset(("b1", "b2"))}, order
    for order in orders:
        assert _stories(order, Params(office_factor=1.0)) == {frozenset(DOCS)}, order


def test_off_it_reads_nothing() -> None:
    eng = Engine(Params(office_factor=1.0))
    for k in DOCS:
        eng.add(DOCS[k])
    assert eng.state.offices == {}
    assert pair_factors(eng.state, "a1", "b1") == {}


def test_a_rebuilt_engine_reads_the_offices_as_the_live_one() -> None:
    live, rebuilt = live_and_rebuilt(DOCS, ON, ("a1", "a2", "b1"), "b2")
    assert live.story_of("b2") != live.story_of("a1")
    assert pair_factors(rebuilt.state, "a1", "b2") == {"offices": ON.office_factor}
    assert pair_factors(rebuilt.state, "a1", "a2") == {}


def test_one_surname_spelled_two_ways_is_one_holder() -> None:
    a = read_offices("Turkmen vote", "Turkmen President Gurbanguly Berdymukhamedov voted on Sunday.")
    b = read_offices("Turkmen vote", "Turkmen President Gurbanguly Berdimuhamedov voted on Sunday.")
    c = read_offices("Turkmen vote", "Turkmen President Saparmurat Niyazov voted on Sunday.")
    assert a is not None and b is not None and c is not None
    assert comparable(a, b) and not conflict(a, b)
    assert conflict(a, c)


def test_what_is_read_and_what_is_not() -> None:
    got = read_offices("Colts coach Tony Dungy retires", "Interior Secretary Dirk Kempthorne's rule stands.")
    assert got is not None
    assert got.held == {"colts coach": frozenset({"Dungy"}), "interior secretary": frozenset({"Kempthorne"})}
    assert read_offices("A game", "President Kiir met President Omar; coach Childress praised his side.").held == {}
    assert read_offices("A game", "Head Coach Sean Payton and Prime Minister Shinzo Abe.").held == {}
    assert read_offices("Talks", "The former Interior Secretary Gale Norton and then-Colts coach Tony Dungy spoke.") is None
    held = read_offices("Handover", "Interior Secretary Ken Salazar replaced Dirk Kempthorne.")
    before = read_offices("Rule", "Interior Secretary Dirk Kempthorne signed it.")
    assert held is not None and before is not None and not conflict(held, before)  # it names both


def test_the_factor_only_where_a_pair_conflicts() -> None:
    read = {n: r for n, k in enumerate(("a1", "a2", "b1")) if (r := read_offices(*RULINGS[k]))}
    f = office_factor(0.2, read, np.array([0, 1, 2, 7], dtype=np.int32))
    assert f is not None
    assert f[0, 1] == 1.0 and f[0, 2] == f[2, 0] == f[1, 2] == 0.2 and (f[3] == 1.0).all()
    assert office_factor(1.0, read, np.array([0, 2], dtype=np.int32)) is None
    assert office_factor(0.2, read, np.array([0, 1], dtype=np.int32)) is None


def test_explain_names_the_offices_when_they_held_a_pair_apart(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """``digest explain`` of two rulings the offices held apart says so (its table of what each
    factor says had no line for ``offices`` nor ``clock``: a KeyError, stop 62 at the merge).
    Real parts: ``digest replay`` into SQLite on disk, then ``explain --json``."""
    from digest.cli import main
    from digest.explain import FACTOR_WHY
    from tests.support.config import make_config

    cfg = make_config(tmp_path, {}, write=True).config_path
    assert cfg is not None
    data = tmp_path / "in.jsonl"
    data.write_text("".join(
        json.dumps({"id": k, "title": t, "text": x, "source": f"Outlet {i}",
                    "published": f"2026-03-0{2 + 2 * (k[0] == 'b')}T{10 + i}:00:00Z"}) + "\n"
        for i, (k, (t, x)) in enumerate(RULINGS.items())))
    assert main(["replay", str(data), "--config", str(cfg)]) == 0
    capsys.readouterr()
    assert main(["explain", "--config", str(cfg), "a1", "b2", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["merged"] is False
    assert FACTOR_WHY["offices"].split(" (")[0] in got["why"]
    assert {"time", "places", "clock", "offices"} <= set(FACTOR_WHY)


#: Two rulings on one rule under two secretaries, where the second's reports write the office
#: after the name ("Sally Jewell, the Interior Secretary,", "Jewell, Interior Secretary,"; stop
#: 63): read only before a name, the secretary of b1 and b2 went unread and the four were one story.
WOLVES = {
    "a1": ("Wolves rule on grazing land changed by Interior",
           "Interior Secretary Gale Norton on Monday changed the rule on grey wolves on federal grazing land. "
           "Ranchers may now shoot wolves that attack cattle on leased land without a permit from the Fish and "
           "Wildlife Service. Conservation groups said the change guts the wolf recovery plan and vowed to sue."),
    "a2": ("Interior changes grey wolf rule for grazing land",
           "Ranchers on federal grazing land may now shoot grey wolves that attack their cattle without a Fish "
           "and Wildlife Service permit, Interior Secretary Gale Norton said on Monday. Conservation groups "
           "called the wolf rule change an attack on the recovery plan and said they would sue."),
    "b1": ("Wolves rule on grazing land changed by Interior again",
           "Sally Jewell, the Interior Secretary, on Wednesday changed the rule on grey wolves on federal grazing "
           "land. Ranchers may no longer shoot wolves that attack cattle on leased land without a permit from "
           "the Fish and Wildlife Service. Conservation groups said the change saves the wolf recovery plan."),
    "b2": ("Interior changes grey wolf rule for grazing land again",
           "Ranchers on federal grazing land may no longer shoot grey wolves that attack their cattle without a "
           "Fish and Wildlife Service permit, said Jewell, Interior Secretary, on Wednesday. Conservation groups "
           "called the wolf rule change a rescue of the recovery plan."),
}


def test_an_office_written_after_its_holder_parts_two_rulings() -> None:
    docs = {k: Doc(id=k, title=t, text=x) for k, (t, x) in WOLVES.items()}
    for params, want in ((ON, {frozenset(("a1", "a2")), frozenset(("b1", "b2"))}),
                         (Params(office_factor=1.0), {frozenset(docs)})):
        for order in itertools.permutations(docs):
            assert stories_made(docs, order, params) == want, (params.office_factor, order)


def test_what_is_read_after_a_name() -> None:
    got = read_offices("Coaching change", "The team hired Doc Rivers, coach of the Celtics, on Tuesday.")
    assert got is not None and got.held == {"celtics coach": frozenset({"Rivers"})}
    got = read_offices("Ruling", "Gale Norton, the Interior Secretary. She signed it.")
    assert got is not None and got.held == {"interior secretary": frozenset({"Norton"})}
    before = read_offices("Ruling", "Interior Secretary Sally Jewell signed it.")
    assert before is not None and conflict(got, before)
    elect = read_offices("Transition", "George W. Bush, the president-elect, met his team.")
    assert elect is not None and ("president", "Bush") in elect.elect
    # not an apposition, a place before the comma, or a holder marked as not the present one
    assert read_offices("Talks", "In Denver, the Interior Secretary spoke; Gale Norton, the former Interior "
                                 "Secretary, listened; Norton, Interior Secretary said nothing") is None


def test_a_headline_s_verbs_are_not_read_as_office_or_name() -> None:
    """In headline case a verb reads like a qualifier ("Bulls Fire Coach ...") or a surname
    ("President Bush Signs Farm Bill": "Farm"); such a title names no qualified holder and gives
    each word after the office as the surname it may be."""
    got = read_offices("Bulls Fire Coach Vinny Del Negro, Hire Tom Thibodeau", "")
    assert got is not None and got.held == {} and ("coach", "Negro") in got.serving
    signed = read_offices("President Bush Signs Farm Bill Into Law", "")
    elected = read_offices("Transition", "President-elect George Bush named his cabinet.")
    assert signed is not None and elected is not None and conflict(signed, elected)
    # a title written as a sentence is read as before
    assert read_offices("Bulls coach Vinny Del Negro was fired on Friday", "").held == {"bulls coach": frozenset({"Negro"})}


def test_days_and_middle_initials_are_not_surnames() -> None:
    got = read_offices("Ruling", "Interior Secretary Gale A. Norton signed it. The Colts fired coach Jim Mora Sunday.")
    assert got is not None
    assert got.held == {"interior secretary": frozenset({"Norton"})}
    assert ("coach", "Mora") in got.serving and ("coach", "Sunday") not in got.serving



def _spellings(office: str) -> list[str]:
    """Each spelling an office of ``OFFICES`` allows ("[Cc]oach": "Coach" and "coach")."""
    parts = re.split(r"\[([A-Z])[a-z]\]", office.replace("\\", ""))
    return ["".join(c) for c in itertools.product(*[(p,) if k % 2 == 0 else (p, p.lower()) for k, p in enumerate(parts)])]


def test_every_office_however_spelled_is_read() -> None:
    """What the reader skips on a text naming no office (stop 63) skips none that names one: each
    office of ``OFFICES`` in each spelling it allows, before its holder, after it in capitals, and
    with a letter Python's case-blind match takes for an ASCII one ("ſ" for "s")."""
    for office in OFFICES.split("|"):
        for spelled in _spellings(office):
            noun = "governor" if spelled == "Gov." else spelled.split()[-1].lower()
            got = read_offices("Report", f"The agency said {spelled} Dirk Kempthorne spoke on Sunday.")
            assert got is not None and (noun, "Kempthorne") in got.serving, spelled
            upper = read_offices("Report", f"The agency met Dirk Kempthorne, the Interior {spelled.upper()}, on Sunday.")
            assert upper is not None and (noun, "Kempthorne") in upper.serving, spelled
    folded = read_offices("Report", "The agency met Dirk Kempthorne, the Interior \u017fecretary, on Sunday.")
    assert folded is not None and folded.held == {"interior \u017fecretary": frozenset({"Kempthorne"})}
    elected = read_offices("Report", "The agency met Chief-elect Dirk Kempthorne on Sunday.")
    assert elected is not None and elected.elect == {("chief", "Kempthorne")}


def test_the_factor_judges_every_pair_that_can_conflict() -> None:
    """``office_factor`` judges only the pairs sharing an office or an elected person (stop 63):
    the same verdicts as :func:`conflict` over every pair."""
    texts = [*RULINGS.values(),
             ("Vote", "Colts coach Tony Dungy and Interior Secretary Gale Norton met."),
             ("Vote", "President-elect Barack Obama met Interior Secretary Dirk Kempthorne."),
             ("Vote", "Governor-elect Bob McDonnell spoke."), ("Vote", "Governor Bob McDonnell spoke."),
             ("Vote", "Governor-elect Bob McDonnell met Governor Bob McDonnell's staff."),
             ("Vote", "Colts coach Jim Caldwell and Interior Secretary Ken Salazar met.")]
    read = {3 * n: r for n, t in enumerate(texts) if (r := read_offices(*t))}
    nums = np.array([1, *read, 2], dtype=np.int32)
    f = office_factor(0.2, read, nums)
    assert f is not None
    want = np.ones_like(f)
    for i, j in itertools.combinations(range(nums.size), 2):
        if nums[i] in read and nums[j] in read and conflict(read[int(nums[i])], read[int(nums[j])]):
            want[i, j] = want[j, i] = 0.2
    assert (f == want).all() and (want < 1).sum() >= 10


def test_a_spelling_verdict_kept_is_the_one_computed() -> None:
    """``_one_spelling`` keeps its verdicts and tries difflib's upper bounds first (stop 63): each,
    asked twice, is difflib's ratio against ``OFFICE_SPELLING``, for an anagram (its quick ratio 1)
    too."""
    pairs = [("berdymukhamedov", "berdimuhamedov"), ("niyazov", "vozayin"), ("salazar", "kempthorne"),
             ("obama", "obama"), ("mcdonald", "mcdonnell")]
    for s, t in pairs * 2:
        assert _one_spelling(s, t) == (difflib.SequenceMatcher(None, s, t).ratio() >= OFFICE_SPELLING), (s, t)
    assert difflib.SequenceMatcher(None, "niyazov", "vozayin").quick_ratio() >= OFFICE_SPELLING
    assert _one_spelling("berdymukhamedov", "berdimuhamedov") and not _one_spelling("niyazov", "vozayin")
