"""Junk lines the cleaner kept that made a copy of a read report "news" (stop 41's count of
``benchmarks.copy_test``): each kind goes from a text, prose that resembles it stays, and a
copy that carried one adds nothing to the report the reader read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.output.news import adds_nothing
from digest.store.base import StoredArticle
from digest.text.clean import clean_text
from tests.support.cleaning import BODY, kept

JUNK = [
    # where the story is read in full or ran first (the mixture's summaries: 16 of 135 news by one)
    "Read the full story at Maplewood Chronicle",
    "Read more This article originally appeared on Star Online.",
    "This article originally appeared on The Highcliff Courier.",
    "This story was first published by ProPublica.",
    "Originally published on June 3, 2019.",
    "This article is republished from The Conversation under a Creative Commons license. Read the original article.",
    # scrapinghub: an agency's pointer to its coverage, after the story
    "Follow AP's full coverage of Brexit and British politics at https://www.apnews.com/Brexit",
    # the site's app offered, the verb first
    "Download the Elmstead Wire app for iPhone and Android",
    # a share bar in words with no usual call-to-action verb
    "Send this to a friend Post to Flipboard Post to Threads Post to X Post to LinkedIn",
    # footer notes: the comment form's, a copyright sign inside the line, the publisher's registration
    "Your e-mail address won't be shown publicly.",
    "All content © Maplewood Chronicle unless noted.",
    "Jewels after Jewels after Jewels, installation views, photos © Inexhibit, 2018",
    "Highcliff Today is part of Clearwater Media Ltd. Registered in England.",
    "Telegraph Media Group Limited. Registered in England and Wales No. 451593",
]


@pytest.mark.parametrize("line", JUNK)
@pytest.mark.parametrize("at", [1, 3])
def test_stop41_junk_goes_between_paragraphs_and_after_the_last(line: str, at: int) -> None:
    assert kept(line, at) == BODY


@pytest.mark.parametrize(
    "line",
    [
        # an app, a download, a copyright or a registration in the news
        "Download speeds rose 20% in the quarter, the regulator said on Tuesday.",
        "The app was downloaded two million times, the company said.",
        "Its parent, registered in England, is the subject of an inquiry by the regulator.",
        "The band's lawyers said the song had been © Harbour Records since 1998 and that the label had "
        "never agreed to its use in the advertisement.",
        # where something was published, read or first appeared, in a story
        "Originally published in 1851, the novel sold poorly.",
        "The story first appeared in the Times and prompted an inquiry.",
        "The councillors read the full report at the meeting on Monday.",
        "Police said they would continue reading through the documents on Monday.",
        "This article of the treaty was first published in 1951 and has never been amended since.",
        # posting to a channel, e-mail addresses in a story
        "He said he would post to Facebook and post to X once the vote was counted.",
        "Council staff said the e-mail addresses of residents were not published in the report.",
    ],
)
def test_stop41_prose_resembling_the_junk_stays(line: str) -> None:
    assert kept(line) == [BODY[0], line, *BODY[1:]]


def test_a_summarys_cut_mark_before_a_source_note_still_marks_it_cut() -> None:
    res = clean_text(BODY[0] + "… Read more\n\nRead the full story at Maplewood Chronicle")
    assert res.text == BODY[0] + "…"
    assert res.truncated


AT = datetime(2026, 11, 10, 8, tzinfo=UTC)
TITLE = "Riverside Bridge reopens after two years of repairs"


def _version(key: str, source: str, text: str) -> StoredArticle:
    return StoredArticle(key=key, source=source, url=None, title=TITLE, text=text, published=AT, fetched=AT,
                         author=None, truncated=False, priority=0.0, junk=[], fingerprint=b"", story_id="s",
                         score=None, score_detail=None)


@pytest.mark.parametrize("line", [
    "Download the Elmstead Wire app for iPhone and Android",
    "Read the full story at Elmstead Wire",
    "This article originally appeared on Elmstead Wire.",
    "Elmstead Wire is part of Clearwater Media Ltd. Registered in England.",
    "All content © Elmstead Wire unless noted.",
])
def test_a_copy_with_such_a_line_adds_nothing_to_the_report_read(line: str) -> None:
    original = _version("a", "Coast News", clean_text("\n\n".join(BODY)).text)
    copy = _version("b", "Elmstead Wire", clean_text("\n\n".join([*BODY, line])).text)
    assert adds_nothing(copy, [original])
    # a new fact after it is still news
    fact = "The council said a second bridge would open downstream in 2028, at a cost of 40 million pounds."
    news = _version("c", "Elmstead Wire", clean_text("\n\n".join([*BODY, line, fact])).text)
    assert not adds_nothing(news, [original])
