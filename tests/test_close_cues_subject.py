"""The subject reader of ``benchmarks.close_cues``' subject cue (issue #19, stop 56): a person
the title and the lede both name."""

from benchmarks.close_cues import conflict, features, lede, subject_of


def test_the_person_the_title_and_the_lede_both_name() -> None:
    title = "Saints place Pierre Thomas on injured reserve."
    text = ("The New Orleans Saints placed running back Pierre Thomas on injured reserve on Tuesday, "
            "ending his season. Coach Sean Payton said the team would miss him.")
    assert subject_of(title, text) == {"Thomas"}


def test_a_person_only_the_lede_or_only_the_title_names_is_no_subject() -> None:
    text = "Voters went to the polls on Sunday under President Gurbanguly Berdymukhamedov, officials said."
    assert subject_of("Turkmenistan votes in a parliamentary election.", text) == frozenset()
    assert subject_of("Mark Felt dies at 95.", "The former FBI official died at home on Thursday.") == frozenset()


def test_the_lede_agrees_on_the_surname_alone() -> None:
    title = "Alaska Gov. Sarah Palin's church burned."
    text = "A fire devastated the church that Mrs. Palin attends, investigators reported on Friday night."
    assert subject_of(title, text) == {"Palin"}


def test_a_source_a_byline_and_a_title_in_title_case_read_no_subject() -> None:
    text = "Detective Greg Wilking said two men were shot on Friday night outside a bar downtown."
    assert subject_of("Detective Greg Wilking said two men were shot.", text) == frozenset()
    assert subject_of("By Sam Cholke and staff.", "By Sam Cholke. Two men were shot on Friday outside a bar.") == frozenset()
    assert subject_of("Pierre Thomas Placed On Injured Reserve By Saints",
                      "The Saints placed Pierre Thomas on injured reserve on Tuesday.") == frozenset()
    assert subject_of("Pierre Thomas to injured reserve.", "") == frozenset()  # title only


def test_the_lede_is_the_first_sentence_past_a_dateline() -> None:
    text = ("KOKOMO , Ind. ( June 15 , 2014 ) — Kokomo police want to know what led up to a shooting "
            "outside a nightclub. Jane Roe was named later.")
    assert lede(text).endswith("outside a nightclub.")
    assert "Roe" not in lede(text)
    assert len(lede("word " * 200)) == 300


def test_two_players_conflict_and_one_player_told_twice_does_not() -> None:
    thomas = {"title": "Saints place Pierre Thomas on injured reserve.",
              "text": "The Saints placed Pierre Thomas on injured reserve on Tuesday, ending his season."}
    thomas2 = {"title": "Pierre Thomas out for the playoffs.",
               "text": "Running back Pierre Thomas will miss the playoffs after the Saints put him on IR."}
    bush = {"title": "Saints place Reggie Bush on injured reserve.",
            "text": "The Saints placed running back Reggie Bush on injured reserve on Monday with a knee injury."}
    untold = {"title": "Saints lose a running back.", "text": "The team placed its running back on injured reserve."}
    a, b, c = (features("subject", r, 0) for r in (thomas, thomas2, bush))
    assert features("subject", untold, 0) is None
    assert not conflict("subject", a, b)
    assert conflict("subject", a, c)
    c_names_thomas = {**bush, "text": bush["text"] + " Pierre Thomas will start."}
    assert not conflict("subject", a, features("subject", c_names_thomas, 0))
