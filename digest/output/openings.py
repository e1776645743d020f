"""Where what the digest shows of a text begins: after the short lines over its lede and the
lede's dateline.

Observations
------------
* Agency and local reports open with the place they were filed from, in capitals, up to a
  dash: "WASHINGTON (AP) —", "SIOUX FALLS, S.D. –", "KOKOMO, Ind. (June 15, 2014) —".  Shown
  as an excerpt's or a "what's new" line's first words, it is the first thing a reader reads,
  and says nothing the lede does not (stop 48 review: 23 of the 181 scrapinghub pages and 30
  of GVC val's 78 reports open with one).
* Its forms: the place in capitals, its state or country after a comma, the agency or the
  date in brackets; a place in Title Case with its state abbreviated ("Dekalb, Ill. —"); the
  brackets alone ("(KMOV.com) –"); a dash left alone where a page dropped the place ("- The
  Gwinnett County police ..."); ">>" for the dash ("BURBANK >>").  The lede after it begins
  with a capital, a digit or a quotation mark: a sentence with a dash in it ("A crane - the
  biggest - fell", "US-China trade – what to know") has no dateline.
* The agencies write the day and their name: "LONDON, June 5 (Reuters) -", "NEW YORK/WASHINGTON,
  Dec 4 (Reuters) -", "BEIJING, Dec 5 (Xinhua) --", "(Bloomberg) --"; some pages the place in
  Title Case ("Kyiv, Ukraine —", "New York, NY –"); CNN its name and no dash ("(CNN) President
  ...", "(CNN)President").  A place in Title Case is taken only with its state or country, its
  day or an agency: alone before a dash it is as often prose ("Liverpool – Chelsea: ...").
  Measured on the lede of every text (scrapinghub's ground truth, GVC, ECB+): datelines taken
  23 -> 27 of 181, 50 -> 52 of 152, 0 of 982; each one read, none prose; at every sentence's
  start in them, the one prose the pattern took ("In British Columbia, Attorney - General ...")
  is kept by the words a place never is (``_TITLE``).
* Lines over the lede without a stop (a subheadline, a photo's caption with its credit, a date
  line) run into it on one line: "... Jeffrey Epstein's suicide WASHINGTON – Two federal ...".

:func:`opening` is where an excerpt begins (``digest.output.context.excerpt``);
:func:`line_after_opening` is a "what's new" line read from a passage less what the excerpt
leaves out before it (``digest.output.news.whats_new``): the line was otherwise the excerpt's
first sentence again, with the caption or dateline in front.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..text.lines import table_row, unfinished
from ..text.sentences import sentence_ends
from .leadjunk import furniture_end
from .params import EXCERPT_LINK_WORDS, OPENING_SKIP_LINES, OPENING_SKIP_WORDS
from .regions import PAIRING, REGION

#: A line with something on it.
_LINE = re.compile(r"[^\n]*\S[^\n]*")
#: A line ending like a sentence in a script whose stop ``lines.unfinished`` does not know: the
#: danda (Hindi, Bengali), the Arabic question mark and Urdu full stop, Ethiopic, Burmese and
#: Khmer full stops.  Read as unfinished, a Hindi lede's lines were skipped as lines over it.
_OTHER_STOP = re.compile(r"[।॥؟۔።။។៕][\"'”’)\]»」』）]*\s*$")

#: A place in capitals ("WASHINGTON", "WILKES-BARRE", "SALT LAKE CITY"), in Title Case ("Kyiv",
#: "Hong Kong"); several joined by "/" ("NEW YORK/WASHINGTON").
_CAPS = r"[A-Z][A-Z.'’&]*[A-Z.](?:[ -]+[A-Z][A-Z.'’&]*[A-Z.]){0,3}"
#: A word of a place's name in Title Case: "Kyiv", "Bogotá"; with a capital after "Mc", "De",
#: "La" ... ("McAllen", "DeKalb", "LaGrange") or an apostrophe ("O'Fallon"), a possessive
#: ("Martha's Vineyard"); "St.", "Ste.", "Mt.", "Ft." ("St. Louis", "Sault Ste. Marie"); "d'"
#: joins two ("Coeur d'Alene").  (Before stop 52 a word was only a capital and ASCII lower-case
#: letters: "St. Louis, Missouri –", "DeKalb, Ill. —", "McAllen, Texas —" stayed as the
#: excerpt's first words.  Not "of": "Flynn of Fort Smith, Ark.", "Gulf of Aden, Yemen" (ECB+);
#: nor any capital inside a word: "SunExpress, Kazakhstan" (scrapinghub), a company's name.)
#: (Latin Extended-A alternates capital and small letters, "ĆćČč": a range of it held both, so
#: "SunĆxpress" read as one word and "Łódź", "Žilina" as none; its letters sorted by case.)
_EXT_A = [chr(c) for c in range(0x100, 0x180)]
_LOWER = "[a-zß-öø-ÿ" + "".join(c for c in _EXT_A if c.islower()) + "]"
_UPPER = "[A-ZÀ-ÖØ-Þ" + "".join(c for c in _EXT_A if c.isupper()) + "]"
_TITLE_WORD = (
    rf"(?:(?:St|Ste|Mt|Ft)\.|(?:Mc|Mac|De|Di|Du|La|Le|[A-Z]['’])[A-Z]{_LOWER}+|{_UPPER}{_LOWER}+(?:['’]s)?)"
)
_TITLE_JOIN = r"(?:[ -]|\sd['’])"
#: (An article, a possessive or a preposition is the sentence's first word: "The (AP) Stylebook
#: says ...", "In British Columbia, Attorney - General Wally Oppal ..." (ECB+, its hyphens spaced).)
_TITLE = (
    r"(?!(?:The|A|An|This|That|These|Those|Its|His|Her|Our|Their|My|Your|In|On|At|By|For|From|With"
    rf"|After|Before|As|When|If|But|And|So|Yet)\b){_TITLE_WORD}(?:{_TITLE_JOIN}{_TITLE_WORD}){{0,2}}"
)
#: Its state or country after a comma: ", S.D.", ", New Mexico", ", United Arab Emirates", ", NY".
_REGION = r"\s*,\s*[A-Z][\w.]{1,14}(?:\s[A-Z][\w.]{1,14}){0,2}"
#: The day after a comma, as the agencies write it: ", June 5", ", Dec 4", ", Dec. 4, 2019", ", 5 June".
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
_DAY = rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})(?:\s*,\s*\d{{4}})?\b"
_DATE = rf"\s*,\s*{_DAY}"
#: The agency or the date in brackets: "(AP)", "(June 15, 2014)".
_BRACKET = r"\s*\([^()\n]{1,40}\)"
#: The agencies whose credit in brackets opens a lede with no dash after it ("(CNN) President
#: Donald Trump ...", "Hong Kong (CNN Business) A muddled view ...": scrapinghub, GVC val), and
#: after a place in Title Case ("London (Reuters) -"): a bracket of any other words there is
#: prose's ("Tesla (TSLA) – Shares rose ...").
_AGENCY = (r"\s*\(\s*(?:Reuters|AP|AFP|CNN(?: Business)?|Xinhua|Bloomberg(?: News)?|UPI|dpa|DPA|ANSA|EFE|Kyodo"
           r"|Yonhap|TASS|Interfax|Anadolu|ANI|PTI|IANS|AAP|PA|RIA Novosti|Sputnik|Bernama|Antara)\s*\)")
#: The place a dateline names: in capitals with its state or country, its day and the agency
#: ("LONDON, June 5 (Reuters)", "SIOUX FALLS, S.D.", "WASHINGTON (AP)"); several places in
#: capitals with the day or the agency ("NEW YORK/WASHINGTON, Dec 4 (Reuters)"); a place in
#: Title Case with its state or country (``regions.REGION``: "Dekalb, Ill.", "Kyiv, Ukraine"), its day ("London,
#: June 5 (Reuters)") or an agency ("London (Reuters)").  A place in Title Case alone is not
#: taken: "Liverpool – Chelsea: player ratings", "Indianapolis – Several thousand teachers"; nor
#: two countries (``regions.PAIRING``: "Brazil, Argentina – Both sides drew").
_PLACE = (
    rf"(?:{_CAPS}(?:{_REGION})?(?:{_DATE})?(?:{_BRACKET})?"
    rf"|{_CAPS}(?:\s*/\s*{_CAPS})+(?:{_REGION})?(?:{_DATE}(?:{_BRACKET})?|{_BRACKET})"
    rf"|{PAIRING}{_TITLE}(?:\s*/\s*{_TITLE})*(?:{REGION}(?:{_DATE})?(?:{_BRACKET})?|{_DATE}(?:{_BRACKET})?|{_AGENCY}))"
)
#: The dash that ends a dateline (">>" in the Los Angeles papers' "BURBANK >>"), then the lede's
#: first letter: a capital, a digit or a quotation mark.
_DASH = r"\s*(?:—|–|--|-|>>|> >)\s+"
_LEDE = r"(?=[\"“‘'(]?[A-Z0-9])"

#: A dateline opening the lede, up to its dash: the place (``_PLACE``); the brackets alone
#: ("(KMOV.com) –", "(Reuters) -", "(Bloomberg) --"); a dash left alone ("- The Gwinnett
#: County police ..."); an agency's credit without a dash ("(CNN) President ..."); the day and
#: a dash again after the dash ("WASHINGTON - April 27 - More than ...", ECB+): the lede, read
#: on one line, begins after it.  A place, a date or a bracket that no dash or credit follows
#: is the sentence's ("London, June 5 was the wettest day ...", "Microsoft (NSDQ: MSFT) issued").
DATELINE = re.compile(
    rf"(?:(?:{_PLACE}|\([^()\n]{{1,30}}\))?{_DASH}(?:{_DAY}{_DASH})?|(?:(?:{_CAPS}|{_TITLE})(?:{_REGION})?(?:{_DATE})?)?{_AGENCY}\s*){_LEDE}"
)
#: An update's time stamp opening the lede, before its dateline if any: "Update, 9:45 a.m.
#: Sunday: A 17-year-old was arrested ...", "UPDATED at 3:05 p.m. BLADENSBURG, MD — ..." (GVC
#: val, 2 of 78 reports).
#: Its time zone ("UPDATE 9:45 a.m. EDT: ...") and date ("Sunday, Feb. 5:") are part of it; where
#: the stamp would end before them, none is taken: the excerpt began "EDT: Police said ...".
UPDATE_STAMP = re.compile(
    r"(?:UPDATED?|Updated?)\b\s*,?\s*(?:(?:at|on)\s+)?(?:\w+day\s*,?\s+)?\d{1,2}(?::\d{2})?\s*[ap]\.?\s?m\.?"
    r"(?:\s+(?:[ECMP][SD]?T|GMT|UTC|BST|CES?T)\b)?(?:,?\s+\w+day)?"
    r"(?:,?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b(?:,?\s+\d{4})?)?"
    r"\s*[:–—-]?\s+(?=[\"“‘'(]?[A-Z0-9])"
    r"(?!(?:[ECMP][SD]?T|GMT|UTC|BST|CES?T|\w+day|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d)\b)"
)

#: A photo's caption by the credit it ends with: "... at least 20 shots were fired during a May
#: shootout . View Full Caption DNAinfo/Sam Cholke" (DNAinfo's pages).  Such a line over the
#: lede is left out however many words it holds: at 45 words, over ``OPENING_SKIP_WORDS``, it
#: opened a GVC val lead's excerpt on two days, credit and the lede's dateline run in ("... Sam
#: Cholke WOODLAWN — A three - year - old ...", stop 62 reader's review).
CAPTION_CREDIT = re.compile(r"\bView Full Caption\b[^\n]{0,80}$")


def _lede_at(text: str, at: int) -> int:
    """Where the lede that begins at ``at`` in ``text`` begins after an update's stamp and a
    dateline there."""
    if stamp := UPDATE_STAMP.match(text, at):
        at = stamp.end()
    dateline = DATELINE.match(text, at)
    return dateline.end() if dateline else at


@lru_cache(maxsize=16)
def opening(text: str) -> str:
    """:func:`_opening`, then after the site's furniture run into the lede's first sentences
    (``leadjunk.furniture_end``: "Having trouble viewing the video ? Try disabling any ad
    blocking extensions ... SALT LAKE CITY — A man ...", stop 65) and the dateline after it.
    Kept for the last 16 texts read: a story's line and first news read one text's opening
    three times over; few, as a text may hold 200,000 characters (``MAX_TEXT_CHARS``)."""
    shown = _said_twice(_opening(text))
    if not (end := furniture_end(shown, DATELINE)):
        return shown
    rest = shown[_lede_at(shown, end):]
    return rest if rest.strip() else shown


def _said_twice(text: str) -> str:
    """``text`` from its second sentence where its first is said again there, spaces folded: a
    headline over the lede that a page read as one paragraph holds twice ("Kim Jong-un visits
    Russia amid U.S. concerns about a potential arms trade. Kim Jong-un visits Russia amid ...",
    the seeds, stop 65); the line-by-line case is :func:`_said_again`'s."""
    ends = sentence_ends(text)
    first = next(ends, None)
    if first is None or first >= len(text):
        return text
    second = next(ends, len(text))
    said = " ".join(text[:first].split())
    return text[first:] if said and " ".join(text[first:second].split()) == said else text


def without_furniture(text: str) -> str:
    """``text`` less the site's furniture that :func:`opening` leaves out of its lede's first
    sentences (``leadjunk.furniture_end``: "Having trouble viewing the video ? Try disabling
    any ad blocking extensions ..."), the lines over the lede and its dateline kept: what the
    copy test reads of a new version (``news.copies_of``, stop 65); ``text`` where none opens it."""
    shown = _opening(text)
    end = furniture_end(shown, DATELINE, past_alone=False)  # no news before the note dropped with it
    if not end or not shown[_lede_at(shown, end):].strip():
        return text
    return text[: len(text) - len(shown)] + shown[end:].lstrip()


def _opening(text: str) -> str:
    """``text`` from its first line that ends like a sentence, where the lines before it end
    without a stop and are short (``OPENING_SKIP_LINES``, ``OPENING_SKIP_WORDS``): a
    subheadline, a photo's caption, a date line over the lede.  Run into the lede on one line,
    they read "... Jeffrey Epstein's suicide WASHINGTON – Two federal prison officers ...".
    A first line the next one begins with (:func:`_said_again`: a caption repeating the lede) is
    left out too.  Then after an update's stamp (``UPDATE_STAMP``) and the lede's dateline (``DATELINE``:
    "WASHINGTON (AP) —"), which the excerpt showed as its first words: 23 of the 181
    scrapinghub pages and 30 of GVC val's 78 reports open with one (stop 48 review)."""
    words = 0
    for i, line in enumerate(_LINE.finditer(text)):
        if not unfinished(line.group(0).strip()) or _OTHER_STOP.search(line.group(0)):
            if (again := _said_again(text, line)) is not None:  # a caption the lede repeats
                line, i = again, i + 1
            begin = line.start() + len(line.group(0)) - len(line.group(0).lstrip())
            at = _lede_at(text, begin)
            return text[at:] if i or at > begin else text
        if not CAPTION_CREDIT.search(line.group(0)):  # a caption by its credit, however long
            words += len(line.group(0).split())
        if i >= OPENING_SKIP_LINES or words > OPENING_SKIP_WORDS:
            break
    return text


def _said_again(text: str, line: re.Match[str]) -> re.Match[str] | None:
    """The line after ``line`` when it begins with ``line``'s words (spaces folded): a photo's
    caption that is the lede's first sentence, or its whole first paragraph, over it.  Taken
    as the lede's first line, it was the excerpt's first sentence twice ("Heavy rain flooded the
    harbour ... Heavy rain flooded the harbour ...", stop 54).  None for any other line."""
    after = _LINE.search(text, line.end())
    said = " ".join(line.group(0).split())
    if after is None or not said:
        return None
    return after if " ".join(after.group(0).split()).startswith(said) else None


def left_out(text: str) -> str:
    """What :func:`opening` leaves out of ``text`` before it, spaces folded: the lines over the
    lede, the site's furniture run into it, its dateline."""
    flat = " ".join(text.split())
    return flat[: len(flat) - len(" ".join(opening(text).split()))].strip()


def line_after_opening(line: str, text: str) -> str:
    """``line`` (a passage of ``text``, spaces folded) less what :func:`opening` leaves out of
    ``text`` before it, or less the update's stamp and the dateline it opens with; ``line``
    where nothing would be left."""
    skipped = left_out(text)
    if skipped and line.startswith(skipped) and line[len(skipped):].strip():
        return line[len(skipped):].strip()
    at = _lede_at(line, 0)
    return line[at:] if line[at:].strip() else line


def before_table(text: str) -> tuple[str, bool]:
    """``text`` up to the first row of a table that follows a line of text (a table the page's
    text holds, "| Pos. | Driver | Points |"), and whether it was cut there.  Read on one line, an
    excerpt ran from the lede into the table's cells (stop 48 review: 3 of the 181 scrapinghub
    pages' excerpts, "... after 36 races: | Pos. | Piloto | Pontos | Vitórias |")."""
    prose = False
    for line in _LINE.finditer(text):
        row = table_row(line.group(0).strip())
        if row and prose:
            return text[: line.start()].rstrip(), True
        prose = prose or not row
    return text, False


def line_before_table(line: str, text: str) -> str:
    """``line`` (a passage of ``text``, spaces folded) up to the first row of a table ``text``
    holds (:func:`before_table`'s rows) that it runs into after some words, with "…" where what
    is left does not end like a sentence; ``line`` where it runs into none.  A passage runs on
    over a short sentence, and a paragraph without a stop (a row) ends none: a developing
    story's "what is new" line read "Six stations sent crews. | Station | Crews | Hours | |
    Harwick | 4 | 6 | ..." (stop 56)."""
    if "|" not in line:
        return line
    for row in _LINE.finditer(text):
        shown = " ".join(row.group(0).split())
        if table_row(shown) and (at := line.find(shown)) > 0:
            head = line[:at].rstrip()
            return head if not (unfinished(head) or head.endswith(":")) else f"{head.rstrip(' :')} …"
    return line


#: A link to another page standing as a line of its own inside the text: a label in capitals
#: ("VIDEO", "WATCH", "PHOTOS", "RELATED", "READ MORE", "SEE ALSO") and a colon, then a
#: headline without a stop.  Read on one line it ran into the excerpt: "... just missed the
#: baby 's spinal column . VIDEO : Baby shot in act of road rage According to a GoFundMe page
#: ..." (GVC val, stop 62 reader's review).
_LINK_LINE = re.compile(
    r"\s*(?:VIDEO|WATCH|PHOTOS?|GALLERY|RELATED(?: STORY| STORIES| COVERAGE| LINKS?)?|READ MORE|MORE|SEE ALSO"
    r"|ALSO READ|READ ALSO)\s*:[^\n]*"
)
#: A link to the rest of a teaser, after its last sentence: "... killed at least one person .
#: More", "... when two people broke … Read more →" (GVC val: 2 of 78 reports; none in the
#: scrapinghub ground truth or ECB+ dev).
_MORE = re.compile(r"(?<=[.!?…])\s*(?:More|[Rr]ead [Mm]ore|READ MORE|[Cc]ontinue [Rr]eading)\s*(?:→|»|>>)?\s*$")


def inner(text: str) -> str:
    """``text`` (from its :func:`opening`) less what stands inside it that is not the story as
    read on one line: a rule of dashes ("—-"), a link's own line (``_LINK_LINE``), a dateline
    opening a later line (a standfirst over the lede, then "SAN DIEGO ( CBS 8 ) - Officials Wednesday identified ...":
    the excerpt showed the dateline in the middle of its second sentence), and a last line that
    only introduces what the page held after it ("This news report is made possible by :", its
    sponsor's logo); a teaser of another page inside it, and the link ending the last line
    ("... killed at least one person . More", "... Read more →": ``_MORE``).  A dash alone
    opening a later line is a list's, and kept; so is a heading that reads like a dateline but
    ends without a stop ("PEPA – Universitätsklinikum Heidelberg (UKHD)", a scrapinghub page's)."""
    lines = [m.group(0) for m in _LINE.finditer(text)]
    out: list[str] = []
    for i, line in enumerate(lines):
        bare = line.strip()
        if i and not any(c.isalnum() for c in bare):  # a rule drawn with dashes, "—-"
            continue
        if i and _LINK_LINE.fullmatch(line) and unfinished(bare) and len(bare.split()) <= EXCERPT_LINK_WORDS:
            continue
        if (i and bare[:1] not in "-–—>" and (dateline := DATELINE.match(bare))
                and not unfinished(bare[dateline.end():].strip())):  # a lede after it, not a heading's parts
            bare = bare[dateline.end():]
        if more := _MORE.search(bare):  # another page's teaser inside the text; the last one's link
            if i and i < len(lines) - 1:
                continue
            bare = bare[: more.start()]
        if i and i == len(lines) - 1 and bare.endswith(":") and len(bare.split()) <= EXCERPT_LINK_WORDS:
            continue
        out.append(bare)
    return "\n".join(out) if out else text
