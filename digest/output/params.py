"""The numbers that decide what a digest shows apart, and how long its mail waits, in one place.  Pure: imports nothing.

Each has one comment line: what it means and what set it.  The figures are in
``docs/evaluation.md`` ("Stop 39: the backlog of a new source").
"""

from __future__ import annotations

#: Default of ``backlog_days:``: days before its arrival an item of a source's first read must have been published to be that
#: source's backlog (listed under "Earlier news, first read in this digest", not as the day's news):
#: set by hand at 2, so yesterday's and the day before's items (a weekend's, read on Monday
#: morning) are still news to a daily reader; a feed added with 50 items from July to November
#: (stop 39's churn review) puts 43 of them there.  Pinned by tests/test_stop39_backlog.py.
BACKLOG_DAYS = 2

#: Seconds the mail server has to answer the end of the message (its 250 after DATA), however short
#: ``email.timeout`` is: RFC 5321 4.5.3.2.6 asks a client to wait 10 minutes, as the server scans the
#: message then (spam, viruses: half a minute under load is common); given up at 30 s, the server
#: delivered it all the same and each retry mailed it again.  Pinned by tests/test_review_stop48_smtp.py.
DATA_REPLY_TIMEOUT = 600.0

#: An excerpt begins after the lead's opening lines that end without a stop (a subheadline
#: over the lede, a photo's caption with its credit, a dateline or a date line alone, "Tempo de
#: leitura: 1 minuto"), while they hold at most this many words together ...
OPENING_SKIP_WORDS = 30
#: ... and are at most this many lines, and a line ending like a sentence follows them (else the
#: excerpt begins where the text does).  Stop 48 review: the texts of 15 of the 181 scrapinghub
#: pages begin so (9 where the ground truth begins after them: decks of 15-20 words, date
#: lines, "Pittsburgh" under a deck; 6 a sponsor's note, a review's spec box, a deck it keeps),
#: and 6 of GVC val's 78 reports (a caption with its credit, a "Related Coverage" link).  Set by
#: hand; tests/test_review_stop48_editor.py.
OPENING_SKIP_LINES = 2

#: A Thai, Lao, Khmer or Burmese excerpt with no sentence end in the second half of its window
#: ends at the last space at least this share of the window in, else it is cut hard (its cluster
#: kept whole): their words are not spaced, and a space is a phrase's end, often 100 characters
#: apart or more.  Set by hand in review (no corpus of those scripts here): taken anywhere, a
#: 400-character excerpt of a lede "กรุงเทพฯ " and a 450-character phrase was "กรุงเทพฯ…", and one
#: of "Apple เปิดตัว iPhone รุ่นใหม่ " before a long phrase its first 28 characters.
EXCERPT_PHRASE_SPACE = 0.25

#: A line inside an excerpt's text of at most this many words is left out where it is a link's
#: own ("VIDEO : Baby shot in act of road rage") or the text's last line ending in a colon ("This
#: news report is made possible by :"): a headline's length.  Set by hand in the stop 62 reader's
#: review (GVC val 2 such lines, scrapinghub ground truth 2, ECB+ dev 0; ``openings.inner``).
EXCERPT_LINK_WORDS = 20

#: A developing story whose lead is an earlier day's version leads with the day's version's excerpt;
#: the lead's, read the day before, is cut to about this many characters under "Earlier" (its first
#: sentence, for the reader who did not read it): set by hand in the stop 63 review (GVC val month,
#: packed: 8 of the 9 such entries' lines a whole first sentence of 74-155 characters, one cut at a
#: space at 195, a quote after its stop read as no end).
EARLIER_EXCERPT_CHARS = 200

#: A passage of the day's version the reader read (``reading.READ_SHARE`` of its 3-grams) holds
#: news of its own where this many of its word 3-grams in a row are unread
#: (``reading.first_news``): two words or more said together that the reader has not read
#: ("was refloated on Saturday's high tide" in yesterday's sentence).  One word changed or
#: added leaves 3 grams unread (a weekday corrected, "evening" for "night"): no news; a figure
#: changed is news by ``Read.figures_new``.  Set by that count (stop 64), not tuned: no GVC val
#: entry has a read opening before its line.
NEWS_RUN_GRAMS = 4

#: A story in full in the email, about the bytes it adds over its title line beside its excerpt and
#: line of what is new (``mailsize._full_cost``), and each other outlet's line beside its text (next);
#: only where the email's fit tries first, never which mail: set by hand (stop 62), the year store's
#: last day's stories added 1.3-1.75x the estimate to the carried part, the first guess then 0-1 off.
FIT_STORY_BYTES = 600
FIT_OUTLET_BYTES = 250
#: ... and a title line, beside its title and link (``mailsize._title_cost``): set by hand with them.
FIT_TITLE_BYTES = 200

#: A day's contents ("In this digest:") lists at most this many stories of a section, then "and N
#: more stories below" (md, HTML, mail, archive; the stories themselves all follow in full): a
#: first read of 20,000 items listed 19,499 titles over them (stop 65 review).  Set by hand at
#: 100: above the busiest day of a real feed list seen here (GVC val month packed, the year
#: store's days), a few screens of titles.  Pinned by tests/test_stop65_huge.py.
TOC_LINES = 100
#: ... and its earlier news (a new source's backlog, a line each) at most this many lines, then
#: "N more stories of earlier news, not listed here" (as an email's fit counts them): a feed of
#: 20,000 old items was 20,000 lines.  Set by hand at 100, over stop 39's 43 of a 50-item feed.
BACKLOG_LINES = 100
#: How many sentences opening a text are read for the site's furniture before the lede
#: (``leadjunk.furniture_end``): GVC val's one-paragraph openings hold two at most ("Having
#: trouble viewing the video ? Try disabling ..."); a third for a caption over them (stop 65).
FURNITURE_SENTENCES = 3
#: How much of the text after an opening sentence is read for a word it shares (``leadjunk._alone``):
#: the words of the lede's paragraphs; the whole text made an excerpt 13 times slower (1.9 ms
#: against 0.14 on ECB+ dev) and dropped nothing more (GVC val, ECB+ dev, scrapinghub: stop 65).
FURNITURE_REST_CHARS = 1500
#: The most words of a call to action run into the lede with no stop (``leadjunk._calls_run_in``):
#: "WhatsApp Group Join Now", "Telegram Group Join Now" (stop 65, the seeds).  Set by hand.
FURNITURE_CALL_WORDS = 5
#: The fewest words of the lede after such a call, to its sentence's end: a story's own short
#: sentence with an imperative in it is never cut ("Click Here Media said on Monday it would
#: close its Riverton office.", 10).  Set by hand; no opening of GVC val, ECB+ dev or
#: scrapinghub changed by the rule (stop 65, the seeds).
FURNITURE_LEDE_WORDS = 12
