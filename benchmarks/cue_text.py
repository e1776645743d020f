"""What ``benchmarks.close_cues`` reads of an article's text for its pair cues: month-days,
identifiers, places, the people an opening names and its subject (stops 53-56).  Moved out of
``close_cues`` (stop 62) to keep that module under 500 lines; no behaviour change."""

from __future__ import annotations

import re

_MONTHS = {m[:3].lower(): k for k, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), 1)}
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)(?:[a-z]*)\.?"
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s*(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*[:.]?\d)")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?![a-z])")
# a dateline's day in parentheses with its year ("HENRY COUNTY , Ind. ( Aug. 28 , 2015 ) –"): the
# day the report was filed or updated, not the event's
_DATELINE = re.compile(r"\(\s*" + _MONTH + r"\s*\d{1,2}(?:st|nd|rd|th)?\s*,?\s*\d{4}\s*\)")
_ID = re.compile(r"\b[A-Z]{2,}[-‑]?\d[\d-]*\d\b")
_PLACE = re.compile(r"\b(?:in|at|near|off|outside)\s+((?:[A-Z][\w'-]+\s?){1,3})")
# people: a run of capitalised words (an initial such as "R." may sit inside); what precedes it
# is kept to tell a place ("in Brooklyn") and an honorific ("Mr Ging", "coach Bruce Arians")
_NAME_WORD = r"[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:['-][A-Z]?[a-z]+)*"
_RUN = re.compile(r"(?<![\w.'-])((?:" + _NAME_WORD + r"|[A-Z]\.)(?:\s+(?:" + _NAME_WORD + r"|[A-Z]\.))*)")
_HONORIFIC = frozenset((
    "Mr", "Mrs", "Ms", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.", "President", "Coach", "Sen.", "Senator", "Gov.",
    "Governor", "Rep.", "Judge", "Justice", "Minister", "Prime", "Secretary", "General", "Gen.", "Chancellor",
    "King", "Queen", "Prince", "Princess", "Pope", "Father", "Officer", "Detective", "Sheriff", "Chief",
    "Mayor", "Former", "Actor", "Actress", "Singer", "Star", "Captain", "Capt.", "Lt.", "Sgt.", "Sir", "Lady",
    "Lord", "Professor", "Prof.", "Attorney", "Defendant", "Suspect", "Victim", "Quarterback",
    "President-elect", "Champion", "Heavyweight", "Rev.", "Reverend", "Gov", "Sen", "Rep", "Gen", "Manager",
    "Lawyer", "Spokesman", "Spokeswoman", "Director", "Chairman", "Owner", "Doctor", "Nurse", "Deputy"))
_LOWER_HONORIFIC = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr)\.?\s+$)|\b(?:coach|president|senator|minister|judge|actor|actress|singer|star|officer|quarterback|"
    r"guard|forward|striker|pitcher|rapper|suspect|victim|defendant|lawyer|attorney|spokesman|"
    r"spokeswoman|director|chief|manager|boss|champion|writer|author|chairman|founder|CEO)\s+$")
# words that never begin a person's name (sentence starts, months, weekdays, articles) and
# words that mark a run as an organisation, a place, a thing or a day
_NOT_FIRST = frozenset("""
A An The This That These Those It Its In On At By For From With Without After Before When While Where
What Who Why How If As But And Or Nor So Yet Since Until Although Though Because During Despite Over
Under Into Onto Upon About Above Below Between Among Through Across Against Along Around Behind
Beyond Near Off Out Up Down Some Many Most Much More All Any Each Every No Not Both Either Neither
One Two Three Four Five Six Seven Eight Nine Ten First Second Third Last Next New Old Former Late
He She They We You I His Her Their Our Your My Him Them Us Me There Here Then Now Today Tonight
Yesterday Tomorrow Also Just Only Even Still Already Meanwhile However Police Officials Authorities
Breaking Update Updated Watch Video Photos Photo Report Reports Exclusive Live Read Click Share
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
""".split())
_NOT_NAME = frozenset("""
The Of And For Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
May June July August September October November December University College School Institute
Department Ministry Agency Office Service Services Council Committee Commission Congress Senate House
Court Party Union Association League Conference Federation Club Team Company Corp Corporation Inc
Group Bank Fund Foundation Center Centre Hospital Church Museum Theatre Theater Airport Station
Street St Avenue Ave Road Rd Boulevard Blvd Square Park Bridge Tower Building Hall Arena Stadium
Field Valley River Lake Mountain Mountains Island Islands Bay Beach Coast Sea Ocean Gulf County City
State States Province Region District Village Town Kingdom Republic Empire Nations United National
International Federal Royal American British European Asian African Democratic Republican
Northern Southern Eastern Western North South East West Central Internet Explorer Windows Security
Police Army Navy Force Forces Guard Marshals Prison Jail Times News Post Daily Herald Journal Press
Tribune Gazette Telegraph Network Channel Radio Magazine Review Online Award Awards Prize Cup
Championship Championships Tournament Open Games Olympics Olympic Series Bowl Festival Day Week
Year Christmas Eve Easter Festival Act Law Bill Rule Treaty Program Programme Project Plan Report
Species Endangered Most Wanted List Inc. Co Co. Ltd Global World Earth Death Dies Died Killed Kill
Shot Shoots Shooting Murder Arrested Charged Guilty Found Dead Man Woman Teen Boy Girl Mom Dad Son
Daughter Wife Husband Family Says Said Say Is Are Was Were Be Has Have Had Will Would Could Should
Can May Might Must To In On At By With From After Over Under Up Out Off As Into Not No New Old Big
Top Best Star Stars Fans Fan Deal Signs Sign Signed Offer Offers Wins Win Won Beat Beats Defeats Loses
Lost Leads Led Back Home Away Up Down Game Season Playoff Playoffs Super Quake Earthquake Fire Crash
Survey Geological Strip Heavyweight Champion Colts Chargers Sixers Saints Lakers Celtics Advocate
Creamery Maid Mount Mt Drive Way Lane Place Highway Parkway Trail Caption Photo Photos View Full Buy
Staff Writer Editor Reporter Correspondent Contributor Associated Reuters
""".split())


_SOURCE_BEFORE = re.compile(
    r"(?:\b(?:spokesman|spokeswoman|spokesperson|lawyer|attorney|publicist|representative|"
    r"reporter|photographer|writer|correspondent|analyst|expert|[Bb]y|according to|told)\b[^.,;:]{0,30}|"
    r"\b(?:Spokesman|Spokeswoman|Lawyer|Attorney|By|Photo|Credit)\b\s*:?\s*)$")
_SOURCE_AFTER = re.compile(
    r"^,?\s+(?:(?:a|an|the|his|her|their)\s+)?(?:[\w'-]+\s+){0,3}?(?:spokesman|spokeswoman|spokesperson|"
    r"lawyer|attorney|publicist|representative|reporter|photographer|writer|correspondent|analyst)\b")


def people(text: str) -> frozenset[str]:
    """Persons named in ``text``: ``named_people`` as a set."""
    return frozenset(named_people(text))


def named_people(text: str, subjects: bool = False) -> list[str]:
    """Persons named in ``text`` (a run of capitalised words read as a name: two words or more, or
    one after an honorific; "Mark Felt dies at 95" names "Mark Felt", "The White House said"
    none).  A place ("in Brooklyn"), an organisation ("Microsoft Internet Explorer"), a month or
    a weekday is not a person."""
    out: list[str] = []
    for m in _RUN.finditer(text):
        words = m.group(1).split()
        if owners := [k for k, w in enumerate(words[:-1]) if w.endswith("'s")]:
            words = words[owners[-1] + 1:]  # "Deep Throat's Mark Felt": the name after the owner
        words = [w.removesuffix("'s") for w in words]
        before = text[:m.start()]
        honoured = bool(_LOWER_HONORIFIC.search(before))
        if words and words[-1].rstrip(".") in _HONORIFIC:
            continue  # "Alaska Gov.": a title, its name in the next run
        if any(w in _HONORIFIC for w in words[:-1]):  # "Alaska Governor Sarah Palin": what follows
            k = max(i for i, w in enumerate(words[:-1]) if w in _HONORIFIC)
            words, honoured = words[k + 1:], True
        byline = bool(words) and words[0] == "By"  # "By Sam Cholke": the run begins with "By"
        while words and (words[0] in _HONORIFIC or words[0] in _NOT_FIRST):
            honoured = honoured or words[0] in _HONORIFIC
            words = words[1:]
        while words and (words[-1].rstrip(".") in ("Jr", "Sr", "Esq") or (len(words[-1]) == 2 and words[-1].endswith("."))):
            words = words[:-1]
        if not words or any(w in _NOT_NAME or w.rstrip(".") in _NOT_NAME for w in words):
            continue
        if re.search(r"\b(?:in|at|near|off|outside|of|from|to)\s+$", before):
            continue  # a place ("in Brooklyn"), a source ("of Microsoft")
        full = [w for w in words if not (len(w) == 2 and w.endswith("."))]
        named = (len(full) >= 2 and len(words) <= 4) or (honoured and len(full) == 1)
        if named and subjects and (byline or _SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(text[m.end():])):
            continue  # a source quoted or credited ("spokesman Joe Silva", "By Sam Cholke"), not a subject
        if named and (name := " ".join(words)) not in out:
            out.append(name)
    return out


_SAID_AFTER = re.compile(r"^,?\s+(?:said|says|told)\b")
_SENTENCE_END = re.compile(r"[.!?][\"'”’]?\s+(?=[\"“A-Z])")
LEDE = 300  # subject: at most this many characters of the text are its lede


def lede(text: str, most: int = LEDE) -> str:
    """The first sentence of ``text`` (at most ``most`` characters): a stop that ends a
    sentence is not one after an initial or an honorific ("Alaska Gov. Sarah Palin", "R.")
    and not one in the first 60 characters (a dateline or a byline: "INDIANAPOLIS , Ind.")."""
    head = text[:most]
    for m in _SENTENCE_END.finditer(head):
        word = head[:m.start() + 1].split()[-1] if head[:m.start() + 1].split() else ""
        if m.start() < 60 or len(word.rstrip(".")) <= 1 or word in _HONORIFIC or word.rstrip(".") in _HONORIFIC:
            continue
        return head[:m.start() + 1]
    return head


def _unsaid(text: str) -> list[str]:
    """``named_people(text, subjects=True)`` less a person followed by "said", "says" or
    "told" (a source: "detective Greg Wilking said")."""
    out = []
    for name in named_people(text, subjects=True):
        said = [m for m in re.finditer(re.escape(name), text) if _SAID_AFTER.match(text[m.end():])]
        if not said:
            out.append(name)
    return out


def subject_of(title: str, text: str, loose: bool = False) -> frozenset[str]:
    """The surnames of the persons a report's title and its lede both name: its subject
    ("Mark Felt dies at 95" over "Mark Felt, the FBI's No. 2 ..., died" reads "Felt").  A
    person only one of them names, a source, a byline: none.  A title in title case reads no
    person (its runs are not names).  ``loose``: a person the lede names whose surname is a
    word of the title, whatever its case ("Hansbrough breaks UNC scoring record")."""
    if loose and text.strip():
        return frozenset(s for p in _unsaid(lede(text)) if _named(s := p.split()[-1], title))
    if not text.strip() or _title_cased(title):
        return frozenset()
    in_title = {p.split()[-1] for p in _unsaid(title)}
    in_lede = {p.split()[-1] for p in _unsaid(lede(text))}
    return frozenset(in_title & in_lede)


def _title_cased(title: str) -> bool:
    """A headline in title case or capitals ("Obama Reverses Bush on Species Protection"): every
    word capitalised, so its runs are not names."""
    words = [w for w in re.findall(r"[A-Za-z][\w'-]*", title) if len(w) > 3]
    upper = sum(w[0].isupper() for w in words)
    return bool(words) and (upper == len(words) or (len(words) >= 6 and upper >= 0.7 * len(words)))


def month_days(text: str) -> frozenset[tuple[int, int]]:
    """The (month, day) pairs ``text`` states."""
    out = set()
    for m in _MONTH_DAY.finditer(text):
        if 1 <= int(m.group(2)) <= 31:
            out.add((_MONTHS[m.group(1)[:3].lower()], int(m.group(2))))
    for m in _DAY_MONTH.finditer(text):
        if 1 <= int(m.group(1)) <= 31:
            out.add((_MONTHS[m.group(2)[:3].lower()], int(m.group(1))))
    return frozenset(out)


def identifiers(text: str) -> frozenset[str]:
    """Identifiers of ``text`` with four or more digits (MS08-078, CVE-2013-3893)."""
    return frozenset(i for i in _ID.findall(text) if sum(c.isdigit() for c in i) >= 4)


def _named(surname: str, text: str) -> bool:
    """Whether ``text`` names ``surname`` as a word."""
    return re.search(r"\b" + re.escape(surname) + r"\b", text) is not None
