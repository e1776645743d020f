"""``benchmarks.speaker_venue_cue`` (stop 63, issue #19): what the counted readings read of a
report (the persons it quotes, the venues and the administrative divisions it names) and when a
pair disagrees.  The readings were counted on dev pairs and not built into the engine."""

from benchmarks import speaker_venue_cue as sv


def _pair(read, a: str, b: str):  # type: ignore[no-untyped-def]
    return (read(a), a), (read(b), b)


def test_speakers_are_the_persons_speech_is_attributed_to() -> None:
    text = ('"We are working around the clock," Microsoft spokesman Dustin Childs said. '
            'The flaw, according to Jerry Bryant, is in all versions. President Barack Obama was away.')
    assert sv.speakers(text) == {"Childs", "Bryant"}
    a, b = _pair(sv.speakers, "Tom Smith, the police chief, said it was over.", "said Sheriff Jane Doe on Monday.")
    assert sv.speaker_conflict(a, b) is True
    a, b = _pair(sv.speakers, "Tom Smith said it was over.", "Jane Doe said Tom Smith had left.")
    assert sv.speaker_conflict(a, b) is False  # the other names Smith
    assert sv.speaker_conflict(*_pair(sv.speakers, "Tom Smith said so.", "No one spoke.")) is None


def test_venues_are_keyed_by_their_kind() -> None:
    assert sv.venues("The Colts lost at Arrowhead Stadium near Elm Street.") == {
        "Stadium": frozenset({"Arrowhead"}), "Street": frozenset({"Elm"})}
    a, b = _pair(sv.venues, "They won at Lucas Oil Stadium.", "They lost at Arrowhead Stadium.")
    assert sv.venue_conflict(a, b) is True
    a, b = _pair(sv.venues, "A climber died in Mt Cook National Park.", "in the Aoraki Mount Cook National Park")
    assert sv.venue_conflict(a, b) is False  # one park written two ways
    a, b = _pair(sv.venues, "at Lucas Oil Stadium", "near Elm Street")
    assert sv.venue_conflict(a, b) is None  # no kind both name


def test_divisions_of_the_opening_leave_the_background_out() -> None:
    assert sv.divisions("A quake struck Indonesia's Aceh province; the province of West Papua too.") == {
        "Province": frozenset({"Aceh", "West Papua"})}
    assert sv.divisions("the Indonesian province of Aceh") == {"Province": frozenset({"Aceh"})}
    papua = "Quake hits Indonesia's West Papua province\n" + "x " * 300 + "Aceh province was hit in 2004."
    aceh = "Quake strikes Indonesia's Aceh province\nThe quake struck on Tuesday."
    whole = sv.venue_conflict(*_pair(sv.divisions, papua, aceh))
    head = sv.venue_conflict(sv.opening_divisions(papua), sv.opening_divisions(aceh))
    assert whole is False  # the whole text names Aceh as background
    assert head is True
