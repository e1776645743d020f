"""Review of stop 41's junk rules: a line that reports speech is the news's, never a site's note.

Stop 41 added a comment form's note (``COMMENT_NOTE``), the site's app offered (``APP_PROMPT``),
a copyright sign in a short line (``COPYRIGHT``), a publisher's registration and where the
story ran first, each going alone, no signal of a site box.  A short sentence of news that
reports what someone said in those words went with them: "Download the government's new COVID
app, health officials urged residents on Monday." as the site's app prompt, "Users' email
address will not be shared with advertisers, Meta said." as a comment form's note, "The ©
symbol must appear on every page, the court ruled." as a copyright line.  The cleaner is the
real one (``clean_text``), the lines between paragraphs of a report.
"""

from __future__ import annotations

import pytest

from digest.text.clean import clean_text
from tests.support.cleaning import BODY, kept


@pytest.mark.parametrize("line", [
    "Download the government's new COVID app, health officials urged residents on Monday.",
    "Install the free Flood Warning app, the Environment Agency told people living near the river.",
    "Users' email address will not be shared with advertisers, Meta said on Tuesday.",
    "Your email address will never be shared, the bank says in its new privacy notice.",
    "The \u00a9 symbol must appear on every page, the court ruled.",
    "This story was first published in 1998 and won a Pulitzer, according to the paper.",
])
def test_a_line_that_reports_speech_stays(line: str) -> None:
    assert kept(line) == [BODY[0], line, *BODY[1:]]


@pytest.mark.parametrize("line", [
    "Download the Elmstead Wire app for iPhone and Android",
    "Your e-mail address won't be shown publicly.",
    "All content \u00a9 Maplewood Chronicle unless noted.",
    "This article originally appeared on The Conversation.",
])
def test_the_sites_notes_still_go(line: str) -> None:
    assert kept(line) == BODY
    assert line not in clean_text("\n\n".join([*BODY, line])).text
