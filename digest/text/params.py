"""The numbers of the junk cleaner (``digest.text.clean``), in one place.  Pure: imports nothing.

(The last sections are the fragment strip's, ``digest.text.fragments.escaped_markup``, the
notices', and the titles' of ``digest.text.prepare`` and ``digest.text.extract``.)

Each has one comment line saying what it means.  They were set by hand on the seed articles
and checked on ``benchmarks.extraction`` (scrapinghub: precision 0.958 -> 0.971 at F1 0.966)
and ``benchmarks.syndicate`` (the lead is the junk-free version in 99-100% of stories); no
single figure is recorded per number.  ``clean`` reads them from this module when it runs
(``p.BODY_WORDS``), so a test that changes one patches ``digest.text.params``.
"""

from __future__ import annotations

# -- words and units ---------------------------------------------------------------------------

#: Texts with fewer words than this (after cleaning) count as truncated summaries.
SHORT_WORDS = 50
#: CJK characters counted as one word (those scripts use no spaces).
CJK_PER_WORD = 2
#: Characters counted as one word in Thai, Lao, Khmer and Myanmar (spaces part phrases, not words;
#: Thai words average about four characters with their marks).
SEA_PER_WORD = 4
#: Hard-wrapped lines fill the width to within this many characters (a long word moves down).
WRAP_SLACK = 20
#: Narrowest wrap width taken for hard wrapping (mail and ``.txt`` files wrap at 64-80).
WRAP_WIDTH = 55

# -- features of a unit (``_features``) --------------------------------------------------------

#: A headline has at most this many words ...
HEADLINE_WORDS = 16
#: ... at least this share of its content words capitalised ...
HEADLINE_CAPS = 0.75
#: ... and at least this many content words.
HEADLINE_CONTENT = 2
#: A sentence of at least this many words is prose ...
PROSE_SENTENCE_WORDS = 4
#: ... unless it is a headline of at most this many words.
SHORT_HEADLINE_WORDS = 8
#: Running text of at least this many words is prose without a final stop ...
PROSE_RUN_WORDS = 25
#: ... when at least this share of its words are stopwords.
PROSE_STOPWORDS = 0.25
#: Prose has less than this share of symbol characters.
PROSE_SYMBOLS = 0.1

# -- explicit junk signals ---------------------------------------------------------------------

#: Boilerplate phrases mark a unit of at most this many words (a longer one is prose quoting it).
BOILERPLATE_WORDS = 40
#: A photo's caption (``furniture.CAPTION``) has at most this many words: the GVC reports'
#: longest is 38; a paragraph of the story that happens to end in "(Photo)" is longer.
CAPTION_WORDS = 60
#: A newsletter prompt (``furniture.PROMO_*``) has at most this many words: scrapinghub's and
#: GVC's longest is 34 (stop 33); longer prose naming an inbox and "you" is a story about e-mail.
PROMO_WORDS = 60
#: A reporters' credit (``furniture.CREDIT``) has at most this many words: scrapinghub's longest
#: is 22 (stop 33), a Reuters line naming eight reporters and two editors stays under it.
CREDIT_WORDS = 40
#: A line telling how to reach the writer (``furniture.REACH_WRITER``) has at most this many
#: words: scrapinghub's longest is 55 (a deals disclaimer after "Follow @... on Twitter", stop 33).
REACH_WORDS = 60
#: A line that says where the story is read in full or ran first (``furniture.SOURCE_NOTE``)
#: has at most this many words: the syndicated mixture's longest is 9 ("Read more This article
#: originally appeared on The Highcliff Courier."), The Conversation's two sentences 20 (stop 41).
SOURCE_NOTE_WORDS = 30
#: A line with a copyright sign not opening it is a notice at up to this many words ("All
#: content © Maplewood Chronicle unless noted.", 7); the real corpora's lines with one inside
#: prose are longer (a GVC report's last sentence run into "© 2017 Cox Media Group", stop 41).
COPYRIGHT_WORDS = 15
#: A call to action of at most this many words needs only a verb and a nudge or an imperative.
CTA_SHORT_WORDS = 8
#: A share bar: at least this many call-to-action verbs ...
SHARE_BAR_VERBS = 3
#: ... at least one in every this many words, and no sentence.
SHARE_BAR_WORDS_PER_VERB = 8
#: A longer call to action has at most this many words ...
CTA_WORDS = 30
#: ... and at least this many verb and channel hits.
CTA_HITS = 3
#: A unit is the title when it has at most this many times the title's words ...
TITLE_LENGTH = 1.5
#: ... and at least this word overlap (Jaccard) with it.
TITLE_OVERLAP = 0.8
#: A repeated paragraph is junk when prose of at least this many words ...
REPEATED_WORDS = 8
#: ... with at least this share of stopwords.
REPEATED_STOPWORDS = 0.2
#: Prose lines recurring in the source go only while under this share of the prose (two
#: versions of one article from one source share all their lines).
RECURRING_PROSE = 0.5

# -- furniture (labels, counters, tables) --------------------------------------------------------

#: A label has at most this many words, no final stop and no digit.
LABEL_WORDS = 5
#: A sentence of at least this many words is never a counter ...
COUNTER_SENTENCE_WORDS = 6
#: ... else a unit with at least this share of symbol characters is ...
COUNTER_SYMBOLS = 0.08
#: ... or one with at least this share of digits ...
COUNTER_DIGITS = 0.3
#: ... and at most this many words of letters.
COUNTER_ALPHA_WORDS = 3
#: A line starting with ``|`` and holding at least this many is a table row, not a counter.
TABLE_PIPES = 4
#: A subheading inside the body has at most this many words.
SUBHEADING_WORDS = 12

# -- site boxes and the tail (``_junk_runs``, ``_trim_tail``, ``_bio``) ---------------------------

#: Prose units with at least this many words are body paragraphs for ``_junk_runs``.
BODY_WORDS = 15
#: A body-length unit with at least this share of stopwords is running text (it stays in a box).
RUNNING_STOPWORDS = 0.25
#: Shorter sentences than this next to junk are taken for part of it (a box's heading or blurb) ...
FRAGMENT_WORDS = 6
#: ... up to this many of them on either side.
BOX_HEAD = 2
#: A writer's bio line (``BIO_LINE``) in a box or at the end has at most this many words.
BIO_LINE_WORDS = 60
#: A trailing first-person paragraph is a writer's bio with at least this share of first-person words ...
BIO_FIRST_PERSON = 0.04
#: ... at least this many words about writing ...
BIO_WORD_HITS = 2
#: ... in an article with at least this many other prose words ...
BIO_BODY_WORDS = 50
#: ... whose first-person share is under this fraction of the paragraph's.
BIO_CONTRAST = 0.25
#: A tail list counts its lines of at least this many words ...
LIST_LINE_WORDS = 4
#: ... and is a related-stories list with at least this many of them ...
LIST_LINES = 3
#: ... of which at least this share are undated headlines.
LIST_HEADLINES = 0.75

# -- escaped markup (``digest.text.fragments.escaped_markup``) ------------------------------------

#: A fragment's text with at least this many closing block tags (``</p>``) is HTML escaped twice
#: (the feed corpus, 1,770 contents and summaries: 17 such texts, all markup, no prose).
MARKUP_CLOSING = 2

# -- notices taking a report back (``digest.text.notices``) -------------------------------------

#: A removal or retraction notice holds at most this many words (the retraction notice of stop 36's
#: review: 30; an editor's note with its reason: 40-60); with no limit, the notice's sentence opens no
#: text of the stories, extraction or feeds corpora either (``python -m benchmarks.notices``).
NOTICE_WORDS = 80

# -- titles (``digest.text.prepare``, ``digest.text.extract.clean_title``) -------------------------

#: A plain-text article's line reads like a headline with at least this many words ...
HEADLINE_LIKE_MIN_WORDS = 4
#: ... at most this many (set by hand with ``title_from_text``; no figure recorded) ...
HEADLINE_LIKE_MAX_WORDS = 25
#: ... and more than this share of its characters letters.
HEADLINE_LIKE_LETTERS = 0.6
#: A page title's suffix after its last separator (`` | Site Name``) goes when it has at most
#: this many words ...
TITLE_SUFFIX_WORDS = 4
#: ... and what remains at least this many, so "A - B" headlines survive (set by hand with
#: ``clean_title``; no figure recorded).
TITLE_HEAD_WORDS = 3

# -- the size of a text ------------------------------------------------------------------------

#: Characters of an article's text cleaned at most: the rest is cut at the last paragraph (else
#: line, else word) break before it.  Cleaning costs about 3 µs a character (a 10 MB ``text``
#: field in a replay took 46 s); the longest article of the corpora here has 53,372 (scrapinghub's
#: ground truth; ECB+ 16,033, GVC 6,239): four times that, about 33,000 words.
MAX_TEXT_CHARS = 200_000

#: Table rows open at once in a feed's HTML (a table in a cell of a table ...; ``fragments``)
#: beyond which a table's cells are spaced and its rows paragraphs, as before stop 56: each row's
#: text is copied into the cell holding it, so 50,000 tables nested (850 KB) took 6.4 s where the
#: tag strip took 0.44 s; at 8, 0.5 s.  A data table in a page's layout table is two.
MAX_ROWS_OPEN = 8

#: A headline's site part at its end (``shown._SITE_PART``: a web address or a station's "News
#: ... Weather" line after a separator) is cut only after at least this many words, so a short
#: title that names a site ("Review - Booking.com") stays whole.  Set by hand in the stop 62
#: reader's review: GVC val 6 of 78 titles cut, scrapinghub 14 of 349 titles and og:titles, ECB+
#: dev 0 of 496; none of them cut wrongly.
SITE_HEAD_WORDS = 3

#: A title's last part after a separator is taken for the site's where the rest is the page's
#: ``<h1>`` (``extract.as_heading``) only when it has at most this many words or fewer than the
#: rest: "About bugs – Vortex Cannon Entertainment" (3) is cut, "Opinion | Why the council is
#: wrong about the harbour wall" under an ``<h1>`` "Opinion" is not.  Set by hand in the stop 62
#: second review: the longest site's part cut of the 181 scrapinghub pages is 3 words; 4 for
#: "The Sydney Morning Herald".
SITE_PART_WORDS = 4
