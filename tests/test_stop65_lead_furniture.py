"""Site furniture run into a text's opening sentences is left out of the excerpt and of a
developing story's "what is new" line (stop 65: "**Developing**: Having trouble viewing the video
?", its excerpt "Try disabling any ad blocking extensions ...").  A feed's description puts the
furniture and the lede in one paragraph, which the cleaner keeps whole.  Display only: what is
stored, and what dedup reads, is the text as it came.  Real parts: the feed on a loopback
server, ``digest run`` and ``digest build`` through the CLI, SQLite on disk."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from digest.cli import main
from digest.output.context import excerpt
from tests.support.httpd import TestServer
from tests.test_review_stop37_inplace import DAY1, Reader, feed

SHARED = Path("/work/shared/corpus")

FURNITURE = "Having trouble viewing the video? Try disabling any ad blocking extensions."
TITLE = "Gunman opens fire at Riverton mall"
LEDE = "A gunman opened fire at the Riverton mall on Sunday afternoon, police said."
REST = "Officers closed the mall and searched its stores for hours before reopening the car park."
NEWS = "Two shoppers were wounded and taken to Riverton General Hospital, a spokeswoman said."


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    with TestServer() as srv:
        yield Reader(tmp_path, srv)


@pytest.mark.parametrize("text", [
    f"{FURNITURE} {LEDE} {REST}",
    f"{FURNITURE} RIVERTON, Utah — {LEDE} {REST}",  # the dateline after it left out too
    f"Please enable Javascript to watch this video RIVERTON, Utah (AP) — {LEDE} {REST}",  # no stop before it
    f"Sign up for one of our email newsletters. {LEDE} {REST}",
    f"Buy Photo Police tape at the Riverton mall on Sunday. (Photo: Jane Roe / The Riverton Star) {LEDE} {REST}",
])
def test_the_excerpt_begins_at_the_lede_after_the_sites_furniture(text: str) -> None:
    assert excerpt(text).startswith("A gunman opened fire"), excerpt(text)


@pytest.mark.parametrize("text", [
    # the page's machinery as the story's subject: words shared with the text after it
    "Ad blocking extensions cost publishers $12 billion last year. Browser makers now ship ad blocking by default.",
    # a lede that shares no word with what follows, before no furniture
    "Gaming used to be so simple. We'd buy a game and play it to the end. Sign up for our newsletter.",
    # an imperative in the story, a capital after it: no dateline, no credit
    "Click Here Media said on Monday it would close its Riverton office. Forty people work there.",
    # a short line of the lede's, run into a dateline that is the lede's own
    "Follow the money, investigators say. WASHINGTON — The inquiry into the mall's owner widened on Monday.",
])
def test_a_real_opening_is_kept_and_the_furniture_before_it_is_not(text: str) -> None:
    assert excerpt(text).startswith(text[:20]), excerpt(text)
    signup = f"Sign up for one of our email newsletters. {text}"
    assert excerpt(signup).startswith(text[:20]), excerpt(signup)


#: KSL's player note as GVC val holds it: each sentence a passage of its own
KSL = "Having trouble viewing the video ? Try disabling any ad blocking extensions currently running on your browser ."


@pytest.mark.parametrize("furniture", [FURNITURE, KSL])
def test_the_developing_line_and_excerpt_skip_the_furniture(reader: Reader, tmp_path: Path, furniture: str) -> None:
    first = reader.run(DAY1, feed((TITLE, f"{LEDE} {REST}")))
    assert any(s["title"] == TITLE for s in first["stories"])
    at = DAY1 + timedelta(hours=14)
    second = reader.run(at, feed((TITLE, f"{furniture} {LEDE} {NEWS} {REST}")))
    [story] = [s for s in second["stories"] if s["title"] == TITLE]
    assert story["status"] == "developing"
    assert story["whats_new"].startswith("Two shoppers were wounded"), story["whats_new"]
    out = tmp_path / "day.md"
    cfg = reader.config(at, feed((TITLE, f"{furniture} {LEDE} {NEWS} {REST}")))
    assert main(["build", "--config", str(cfg), "--format", "md", "--date", str(at.date()), "-o", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    assert "\n\nA gunman opened fire" in md, md  # the excerpt (the line is in it: not said over it)
    assert "Having trouble" not in md and "ad blocking" not in md, md


def _openings(*sets: str) -> Iterator[str]:
    """The texts of GVC val, ECB+ dev (odd topics), the scrapinghub ground truth, each on one line."""
    for line in (SHARED / "stories" / "gvc.jsonl").read_text(encoding="utf-8").splitlines():
        if "gvc" in sets and (d := json.loads(line))["split"] == "val":
            yield " ".join(d["text"].split())
    for line in (SHARED / "stories" / "ecbplus.jsonl").read_text(encoding="utf-8").splitlines():
        if "ecb" in sets and (d := json.loads(line))["topic"] % 2 == 1:
            yield " ".join(d["text"].split())
    truth = json.loads((SHARED / "extraction" / "scrapinghub" / "ground-truth.json").read_text(encoding="utf-8"))
    for v in truth.values() if "scrapinghub" in sets else ():
        yield " ".join((v.get("articleBody") or "").split())


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs /work/shared")
def test_gvc_val_on_one_line_opens_with_no_furniture_and_no_real_opening_loses_a_sentence() -> None:
    from digest.output.openings import _opening, opening
    furniture = ("Please enable Javascript", "Having trouble viewing", "Try disabling", "Sign up for", "Buy Photo")
    shown = [excerpt(t) for t in _openings("gvc")]
    assert len(shown) == 78 and [e for e in shown if e.startswith(furniture)] == []
    for text in _openings("ecb", "scrapinghub"):  # none of their openings is furniture: each kept whole
        assert opening(text) == _opening(text), text[:80]


def _rss(outlet: str, guid: str, title: str, text: str) -> str:
    from tests.test_review_stop37_inplace import _item
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>' + outlet + "</title><link>https://other.example/</link>"
            + _item(guid, title, text, DAY1 + timedelta(hours=10)) + "</channel></rss>")


def test_another_outlets_report_leads_the_day_from_its_news_not_its_furniture(reader: Reader, tmp_path: Path) -> None:
    reader.run(DAY1, feed((TITLE, f"{LEDE} {REST}")))
    at = DAY1 + timedelta(hours=14)
    reader.others = {"Valley Star": _rss("Valley Star", "vs-1", "Two wounded in Riverton mall shooting",
                                         f"{KSL} {LEDE} {NEWS} {REST}")}
    second = reader.run(at, feed((TITLE, f"{LEDE} {REST}")))
    [story] = [s for s in second["stories"] if "Riverton" in s["title"]]
    out = tmp_path / "day.md"
    assert main(["build", "--config", str(reader.config(at, feed((TITLE, f"{LEDE} {REST}")))), "--format", "md",
                 "--date", str(at.date()), "-o", str(out)]) == 0
    md = out.read_text(encoding="utf-8")
    assert "Having trouble" not in md and "ad blocking" not in md, md
    assert story["status"] == "developing", story


def test_a_days_version_is_read_from_its_first_news_after_the_furniture() -> None:
    """``reading.first_news``, where a developing entry's excerpt begins when an earlier day's
    version leads: never the site's note over the lede, however new to the reader."""
    from digest.output.reading import first_news, read_of
    from tests.test_review_stop64_developing import stored

    earlier = read_of([stored("a", "Coast News", f"{LEDE} {REST}")])
    news = first_news(stored("b", "Valley Star", f"{KSL} {LEDE} {NEWS} {REST}"), earlier)
    assert news.startswith("Two shoppers were wounded"), news


#: A rewrite's page read as one paragraph (a feed's description): its headline and a messaging
#: app's call run into the lede with no stop (the seeds, stop 65).
CALL_LEDE = ("A gunman opened fire at the Riverton mall on Sunday afternoon, wounding two shoppers before "
             "officers arrived, police said.")


@pytest.mark.parametrize("text", [
    f"Riverton News Gunman Opens Fire at Mall WhatsApp Group Join Now {CALL_LEDE} {REST}",
    f"Share this {CALL_LEDE} {REST}",
    f"Gunman Opens Fire at Mall Join Our Telegram Channel {CALL_LEDE} {REST}",
])
def test_a_call_to_action_run_into_the_lede_with_no_stop_is_left_out(text: str) -> None:
    assert excerpt(text).startswith("A gunman opened fire"), excerpt(text)


@pytest.mark.parametrize("text", [
    # an imperative in a short sentence of the story's own
    "Click Here Media said on Monday it would close its Riverton office. Forty people work there.",
    # a call's words in the story, the sentence after them short
    "Residents who Join Now Riverton get a free pass. The club opened in May and has 300 members.",
    # a call's words that are the story's, no capital after them
    "The union urged members to join now or lose the vote on Monday, its leader told the Riverton Star.",
    # a call's words inside the story's sentence, a name after them: the words before them kept
    "More than 4,000 parents have joined our WhatsApp group Mothers Against Knives since it began in March, "
    "its founder told the Riverton Star on Monday. It meets weekly.",
    "Those who want to help can donate here Red Cross volunteers said on Monday as they appealed for "
    "blankets after the floods. More follows.",
])
def test_a_call_to_actions_words_in_the_storys_own_sentence_are_kept(text: str) -> None:
    assert excerpt(text).startswith(text[:20]), excerpt(text)


def test_a_headline_said_twice_over_the_lede_is_shown_once() -> None:
    head = "Gunman opens fire at the Riverton mall on Sunday."
    assert excerpt(f"{head} {head} {CALL_LEDE} {REST}").startswith(f"{head} A gunman opened fire")
    again = "Police said. Police said the gunman fled."  # a sentence begun again is no repeat
    assert excerpt(again).startswith("Police said. Police said the gunman")


@pytest.mark.parametrize("text", [f"{NEWS} {NEWS} {LEDE} {REST}", f"{NEWS}\n{NEWS} {LEDE} {REST}"])
def test_a_new_sentence_said_twice_over_the_lede_is_the_news(text: str) -> None:
    """A feed's summary over the body that opens with it: the day's news said twice over
    yesterday's lede.  The excerpt shows it once (``openings._said_twice``); the line of what is
    new and the developing excerpt's start took both sayings as left out over the lede, and said
    yesterday's lede was new (stop 65's review)."""
    from digest.output.news import whats_new
    from digest.output.reading import first_news, read_of
    from tests.test_review_stop64_developing import stored

    earlier = [stored("a", "Coast News", f"{LEDE} {REST}")]
    new = stored("b", "Valley Star", text)
    assert first_news(new, read_of(earlier)).startswith("Two shoppers were wounded"), text
    assert whats_new([new], earlier, "Ferry aground").startswith("Two shoppers were wounded"), text
