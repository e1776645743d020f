"""The dev stream of stop 60: ECB+ dev close with a topic's second event renamed to the first's places."""

from __future__ import annotations

import pytest

from benchmarks.common import ECB, load_ecb
from benchmarks.dated import STREAMS
from benchmarks.same_place import SAME_PLACE, renamer, rewrite, same_place_stream
from benchmarks.tune import TUNING_SPLIT

needs_ecb = pytest.mark.skipif(not ECB.is_file(), reason="ECB+ corpus not in the shared folder")


def _row(topic: int, event: str, title: str, text: str) -> dict[str, object]:
    return {"id": f"{topic}_{event}", "topic": topic, "event": event, "title": title, "text": text}


def test_renamer_takes_the_longest_name_first_and_whole_words_only() -> None:
    rename = renamer((("Aceh", "Papua"), ("Banda Aceh", "Manokwari"), ("Ark", "Calif")))
    assert rename("Quake near Banda Aceh, in Aceh province") == "Quake near Manokwari, in Papua province"
    assert rename("Fort Smith, Ark. Arkansas Arkadelphia") == "Fort Smith, Calif. Arkansas Arkadelphia"


def test_only_the_second_event_of_a_table_topic_is_renamed() -> None:
    rows = [
        _row(37, "37ecb", "Quake hits Papua", "A quake in West Papua near Manokwari."),
        _row(37, "37ecbplus", "Quake hits Aceh", "A quake in Banda Aceh, Sumatra."),
        _row(27, "27ecbplus", "Patch for IE", "Microsoft patches Aceh."),  # no table entry: as it is
    ]
    out = rewrite(rows)
    assert out[0] is rows[0] and out[2] is rows[2]
    assert out[1]["title"] == "Quake hits Papua"
    assert out[1]["text"] == "A quake in Manokwari, Papua."
    assert rows[1]["text"] == "A quake in Banda Aceh, Sumatra."  # the input is not changed


def test_the_table_holds_dev_topics_only() -> None:
    assert SAME_PLACE and all(t % 2 == 1 for t in SAME_PLACE)


def test_ecb_sameplace_is_a_dev_only_tuning_stream() -> None:
    assert TUNING_SPLIT["ecb-sameplace"] == "dev"
    with pytest.raises(ValueError):
        same_place_stream("test", 0)
    with pytest.raises(ValueError):
        STREAMS["ecb-sameplace"]("test", 0)


@needs_ecb
def test_the_stream_is_ecb_close_with_only_the_renamed_texts_changed() -> None:
    close = STREAMS["ecb-close"]("dev", 1)
    same = STREAMS["ecb-sameplace"]("dev", 1)
    keys = ("id", "event", "source", "published", "arrived")
    assert [tuple(r[k] for k in keys) for r in same] == [tuple(r[k] for k in keys) for r in close]
    changed = {r["event"] for r, c in zip(same, close, strict=True) if (r["title"], r["text"]) != (c["title"], c["text"])}
    firsts = {t: min(str(r["event"]) for r in load_ecb("dev") if int(r["topic"]) == t) for t in SAME_PLACE}
    assert changed == {f"{t}ecbplus" for t in SAME_PLACE} and not changed & set(firsts.values())
    quake = [r for r in same if r["event"] == "37ecbplus"]
    assert quake and not any("Aceh" in r["title"] + r["text"] for r in quake)
