"""What site furniture says: the phrasings ``digest.text.clean`` matches.  Pure data.

Observations
------------
* Furniture repeats the same few moves in every language of the web's
  templates: ask the reader to do something (share, join, subscribe,
  download) on some channel, point at another story ("Also Read: ..."),
  state a policy (comments moderated, email not
  published, all rights reserved), count something (views, comments, minutes
  of reading), introduce the writer, or say where the story ran first or is
  read in full ("This article originally appeared on ...").
* Each pattern here is generic: none names a site.  Lines that only one site
  prints are caught by ``digest.text.lines.recurring_lines`` instead.
"""

from __future__ import annotations

import re
import unicodedata

FIRST_PERSON = frozenset(["i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"])

# Generic call-to-action vocabulary: verbs that ask the reader to do something,
# and the channels they are asked to do it on.
CTA_VERBS = re.compile(
    r"\b(join(?:ed|ing)?|subscrib\w*|follow(?:ing)?|share|sharing|download\w*|click\w*|tap|"
    r"sign(?:ing)? ?up|register|log ?in|login|reply|comment(?:s|ing)?|like us|watch|listen|"
    r"install|donate|support us|bookmark|read more|continue reading|view all|see all|"
    r"load more|contact us|advertise\w*|print|email us|tweet|pin it|get the app)\b",
    re.I,
)
#: Calls to action that are only ones when they open the line ("Volunteers spread the word
#: on Facebook" is news; "Spread the word: LinkedIn X Reddit" is a share bar).
CTA_OPENERS = re.compile(r"^\W*(spread the word|get (?:the|our) (?:\w+ )?app)\b", re.I)
CTA_CHANNELS = re.compile(
    r"\b(whatsapp|telegram|facebook|twitter|instagram|youtube|linkedin|pinterest|tiktok|"
    r"reddit|snapchat|threads|mastodon|rss|newsletter|podcast|app|google news|"
    r"notifications?|group|channel|page|link)\b",
    re.I,
)
NUDGE = re.compile(r"\b(now|here|below|today|this|us|our)\b", re.I)
#: The site speaking of itself to the reader, the bare imperative first: "Follow *us* on Google
#: News", "Sign up for *our* newsletter".  With a channel, a sentence is a call to action
#: ("Following our report on Facebook's ...", "Joining us on the podcast ..." are news).
SELF = re.compile(
    r"^\W*(?:follow|join|subscribe(?: to)?|sign up(?: for| to)?|download|like|add|get)\s+(?:us|our)\b", re.I
)
#: "Also read" in the languages of the most news sites after English (German, French, Spanish,
#: Portuguese, Italian, Dutch, Polish, Russian, Ukrainian, Turkish, Indonesian, Vietnamese, Greek,
#: Arabic, Hebrew, Hindi, Chinese, Japanese, Korean, Thai): a feed's "Lesen Sie auch: ..." under
#: each article names another story each time, so it never recurs in the source.
OTHER_LANGUAGES_READ_ALSO = unicodedata.normalize("NFC", (
    r"lesen sie (?:auch|mehr)|mehr zum thema|auch interessant|"
    r"(?:à )?lire aussi|lire la suite|voir aussi|sur le même sujet|"
    r"le[ae] también|leer más|ver también|te puede interesar|noticias relacionadas|"
    r"leia (?:também|mais)|veja também|saiba mais|leggi anche|potrebbe interessarti|"
    r"lees (?:ook|meer)|czytaj (?:też|także|więcej)|zobacz (?:też|także)|"
    r"читайте (?:также|ещё|еще|також)|смотрите также|по теме|"
    r"ayrıca (?:okuyun|bakınız)|ilgili haberler|baca juga|xem thêm|đọc thêm|"
    r"διαβάστε (?:επίσης|ακόμη)|[\u0627\u0625]\u0642\u0631\u0623 \u0623\u064a\u0636\u0627\u064b?|קראו גם|עוד באתר|כתבות נוספות|"
    r"य[हे] भी पढ़ें|相关阅读|延伸阅读|相关新闻|推荐阅读|相關閱讀|延伸閱讀|相關新聞|関連記事|あわせて読みたい|"
    r"관련\s?기사|อ่านเพิ่มเติม|ข่าวที่เกี่ยวข้อง"
))  # as the cleaner reads text (``lines.split_units``)
#: A label that introduces a link to another story: "Also Read: Ten best walks near Hollin",
#: "Also read | ...", "READ ALSO", "Read more: ...", "See also:", "SEE MORE: ...", "Related post:
#: ...", "Most read in world news", a bare "More:" over a list the extraction dropped.  The label opens the line and
#: is followed by a separator or nothing ("Police also read the suspect his rights." is news).
RELATED_LINK = re.compile(
    r"^\W*(also read|read also|read more|see more|must read|see also|read next|don'?t miss|"
    r"related(?: stories| story| articles?| posts?| news| reading| coverage| content)?|recommended(?: for you| reading)?|"
    r"most (?:read|popular|viewed|shared)(?: (?:in|on) \w+(?: \w+)?)?|(?:more|also)(?=\s*:?$)|"
    r"you (?:may|might) also (?:like|read)|more (?:stories|news) like this|(?:top|trending|latest) stories|"
    + OTHER_LANGUAGES_READ_ALSO +
    r")(?:\s*[:：|»›>]|\s+[–—-]\s|\s*$)",  # a dash between spaces: "Related-party ..." is news
    re.I,
)
#: What writers' bios talk about.
BIO_WORDS = re.compile(
    r"\b(writ(?:e|er|ers|es|ing|ten)|author|journalist|editor|reporter|blogger|contributor|"
    r"columnist|storytell\w*|articles?|passion(?:ate)?|career|graduat\w*|degree|covers|covering)\b",
    re.I,
)
BOILERPLATE = re.compile(
    r"(email address will not be published|required fields are marked|all rights reserved|"
    r"^\s*(©|\(c\)|copyright\b)|\bcookies?\b.*\b(accept|consent|policy|use)\b|"
    r"\bprivacy policy\b|\bterms of (use|service)\b|^the post .{1,300} appeared first on|"
    r"^(posted|filed) (in|under)\b|^tags?\s*:|^categor(y|ies)\s*:|^related (posts|articles|"
    r"stories|news|content)\b|^(you|we) (may|might) also like|^(more|also) (from|on|in) |"
    r"^(advertisement|sponsored|ad)$|^(source|image|photo|picture|credit|image source|"
    r"photo credit|featured image)s?\s*(:|-|by\b)|^(save my name|notify me of)\b|"
    r"^(previous|next) (post|article|story)\b|^skip to (main )?content|^this (article|story) "
    r"(was|has been) (originally )?(published|updated)|^(last )?updated\s*:|^published\s*:|"
    # a line that is only a time stamp: "Updated June 16, 2014 9:41 a.m.", "Posted on Tue 3 Nov, 07:02 GMT"
    r"^(?:last )?(?:updated|published|posted|modified)(?:\s+(?:on|at))?\s*:?(?:\s*(?:(?:jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?|\d{1,4}(?:st|nd|rd|th)?[,./:-]?|"
    r"[ap]\.?\s?m\.?|at|on|utc|gmt|[ecmp][sd]t|bst|cet|nz[sd]t|aest))+\s*$|"
    r"^by [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}$|\bviews?\s*:?\s*\d|"
    r"^\d[\d,.]*\s*[km]?\s*(views|reads|comments|shares|likes)\b|^\d+\s*min(ute)?s?\s+read\b|"
    r"^read(ing)? time\b|^(name|e-?mail|website|comment)\s*(\*|\((optional|required)\))\s*$|"
    r"\bcomments? (are|is) moderated\b|\bunsubscribe\b|\bwe respect your privacy\b|^(more (articles|stories|posts)|view all posts) by\b|"
    r"^\W*(?:(?:contact|e-?mail|follow)\W*)?\w[\w.+-]*@[\w-]+(?:\.[\w-]+)+[^\w-]*$|"
    # an aggregator's counters and poster, a line each: Hacker News' "Points: 112", "# Comments:
    # 45"; Reddit's (and Lemmy's) "submitted by /u/someuser" (" to /r/news")
    r"^\W*(?:points|score|votes|upvotes|comments|replies|views|likes)\s*:\s*\d[\d,.]*\s*[km]?\s*$|"
    r"^\W*submitted by\s+(?:/?u/)?[\w@.-]+(?:\s+to\s+(?:/?[rc]/)?[\w@.-]+)?\s*$|"
    # a publisher's reprint notice over the story (Dow Jones: the WSJ, Barron's, MarketWatch)
    r"\bthis copy is for your personal,? non-?commercial use only\b|"
    # the reader asked to turn off an ad blocker: "Having trouble viewing the video? Try
    # disabling any ad blocking extensions currently running on your browser." (GVC: KSL's player)
    r"^(?=.*\byou(?:r|'re|’re)?\b).*\b(?:disabl\w*|turn(?:ing)? off|paus\w*|whitelist\w*)\s+(?:\w+\s+){0,3}?"
    r"ad[- ]?block\w*)",
    re.I,
)
#: A cut mark or a "read more" ending a text; or, after a cut mark, WordPress's more link
#: with the post's title for screen readers ("... Continue reading “Storm hits coast”").
READ_MORE = re.compile(
    r"(\.{3}|…|\[\s*(…|\.{3})\s*\]|\(\s*(…|\.{3})\s*\)|\b(read|see) more|\bcontinue reading|"
    r"\bread (the )?(full|rest|whole)( of the)? (story|article|post)|\bfull story|"
    r"\bkeep reading|\bmore\s*[»›>]+|(…|\.{3}|\])\s*(continue|keep) reading\b[^\n]{0,150})\W*$",
    re.I,
)
TAIL_MARKER = re.compile(r"\s*[\[(]?\s*((read|see) more|continue reading|keep reading)\W*$", re.I)

#: The characters of a text's end searched for a cut mark or a "read more" (``READ_MORE``,
#: ``TAIL_MARKER``): they end the text.  Searched whole, a hostile run of dots or spaces made
#: each search quadratic (50,000 dots: 20 s) or worse (``TAIL_MARKER`` over spaces: cubic).
MARK_TAIL = 200


def ends_cut(text: str) -> bool:
    """Whether ``text`` ends with a cut mark or a "read more" (``READ_MORE``)."""
    return bool(READ_MORE.search(text[-MARK_TAIL:]))


def without_tail_marker(text: str) -> str:
    """``text`` less a "read more" glued to its end (``TAIL_MARKER``)."""
    head, tail = text[:-MARK_TAIL], text[-MARK_TAIL:]
    return head + TAIL_MARKER.sub("", tail)

#: A photo's caption read as text (a page's <figcaption> is dropped at extraction; a feed's
#: text keeps it): it opens with the site's "Buy Photo" button, or ends with the photo's credit
#: in brackets, "(Photo: Todd McInturf / The Detroit News)", "(AP Photo/Evan Vucci)", "(WISH
#: Photo)".  A sentence of the story ends with no such bracket.
CAPTION = re.compile(
    r"^\W*buy photo\b|\(\s*(?:[\w.&'’-]+\s+){0,4}(?:file\s+)?(?:photo|photos|image|picture)\s*"
    r"(?:(?::|/|\bby\b)[^()]{0,80})?\)\s*(?:buy photo)?\W*$",
    re.I,
)
#: A link to the page or a channel after a label and nothing else: "Read or Share this story:
#: http://on.freep.com/2c44nVN"; an aggregator's "Article URL: https://...", "Comments URL: ..."
#: (Hacker News), "Link: ...", "Permalink: ...".
LINK_LINE = re.compile(
    r"^\W*(?:read|share|follow|subscribe|listen|watch|download|more|article|comments?|link|url|permalink)\b"
    r"[^:]{0,50}:\s*(?:https?://|www\.)\S+\s*$"
    # a web address alone on its line, the page's own under a paywall's notice (scrapinghub,
    # Barron's: the story's excerpt was "https://www.barrons.com/articles/...")
    r"|^\W*(?:https?://|www\.)\S+\s*$",
    re.I,
)
#: A video player's controls read as text, glued before the lede: "Skip Ad Ad Loading ... x
#: Embed x Share A 17-year-old boy was ..." (two controls at least: "Replay" alone may be news).
PLAYER_CONTROLS = re.compile(
    r"^(?:(?:skip ad|ad loading\s*(?:\.\.\.|…)|loading\s*(?:\.\.\.|…)|x\s+embed|x\s+share|embed|replay|autoplay)\s*){2,}",
    re.I,
)
#: A reporter's contact line, "Contact Brittany Horn at (302) 324-2771 or bhorn@example.com.",
#: and a telephone number alone on its line, "(313) 222-2027".
CONTACT = re.compile(
    r"^\W*[Cc]ontact\s+(?:[A-Z][\w'’.-]*\s+){1,3}at\b.*(?:@|\d{3}\W{0,3}\d{4})|^\W*\(?\s*\d{3}\s*\)?[\s.-]*\d{3}[\s.-]*\d{4}\W*$"
)

#: "Jane Doe is a staff writer at The Herald covering ...": a third-person writer bio.
BIO_LINE = re.compile(
    r"^(?:[A-Z][\w'’.-]*\s+){1,4}(?:is|was|has been)\s+(?:a|an|the)\b.{0,80}?"
    r"\b(?:writer|journalist|editor|reporter|correspondent|producer|columnist|contributor|"
    r"blogger|author|photographer)\b"
)

#: Not furniture: the outlet's note on what it corrected or changed ("Correction: An earlier
#: version of this story misstated ...", "Clarification, Nov. 11: ...", "Editor's note: ...",
#: "An earlier version of this article gave ...", "This article was amended on ... to correct
#: ...").  Content however short, and often printed after the share bar: never part of a box.
CORRECTION_NOTE = re.compile(
    r"^\W*(?:(?:corrections?|clarifications?|editor'?s'? notes?|updates?)\b[^:\n]{0,40}[:\u2013\u2014]"
    r"|(?:an?|the) (?:earlier|previous|prior|original) version of this (?:article|story|report|post|piece)\b"
    r"|this (?:article|story|report|post|piece) (?:was|has been) (?:amended|corrected|updated|changed) (?:on|to|since)\b)",
    re.I,
)

#: The site selling its newsletter (or e-mail alerts) to the reader: a delivery word for the
#: product, a verb of getting it, and the reader addressed or told ("Get the day's top headlines
#: delivered to your inbox ...", "Sign up for the free daily newsletter.", "Get Motor Cycle
#: Monthly delivered through your letterbox every month.").  News about a newsletter names
#: no reader ("The paper's newsletter reached 2 million subscribers.").
PROMO_PRODUCT = re.compile(r"\b(?:newsletters?|inbox|letterbox|mailbox|e-?mail alerts?)\b", re.I)
PROMO_VERB = re.compile(r"\b(?:sign(?:ing)? up|subscrib\w*|deliver\w*|get|receive)\b", re.I)
PROMO_READER = re.compile(r"\byour?\b|^\W*(?:get|sign up|subscribe)\b", re.I)
#: ... or asks for money after the article: "If you enjoyed this article, we have a proposition
#: for you: Join ...".
#: ... or asks for the reader's support of the writer, a subscription being the support: Substack's
#: box, "City Notes is a reader-supported publication. To receive new posts and support my work,
#: consider becoming a free or paid subscriber.", "Thanks for reading City Notes! Subscribe for
#: free to receive new posts and support my work." (with ``PROMO_VERB``).
PROMO_SUPPORT = re.compile(
    r"\b(?:reader-supported publication|support (?:my|our) work|becom\w* an? (?:free or )?paid subscriber)\b",
    re.I,
)  # not "paid subscriptions" alone: "The Times said paid subscriptions rose to 10 million."
PROMO_OPENER = re.compile(r"^\W*if you (?:enjoyed|liked|valued?|appreciated?) (?:this|our|reading)\b", re.I)

#: The reporters' credit under a story: "Keith Bradsher contributed reporting from Hong Kong.",
#: "Associated Press writers ... contributed to this report.", "(Reporting by ...; Editing by
#: ...)"; the credit ends the line.  ("Reporting by the Times found ..." opens no bracket and
#: names no editing; "... contributed to this report on the river" goes on.)
CREDIT = re.compile(
    r"\bcontributed (?:to this (?:report|story|article)\s*|reporting\b[^.]{0,60})\.?$|\bediting by\b|"
    r"^\W*\(\s*reporting by\b",
    re.I,
)
#: How to reach the writer or the site, with the address: an e-mail, an @handle or a link, and
#: "Follow him on Twitter @...", "... may be reached at ...", "Email <Name> at ...", "Reach the
#: reporters on Twitter at http://...", "Have a tip?".  (A tweet quoted in a story has the
#: handle but asks nothing; "Police asked anyone to e-mail tips@..." names nobody to follow.)
HANDLE = re.compile(r"[\w.+-]@[\w-]+\.\w|(?:^|\s)@\w|https?://|\bwww\.|twitter\.com/")
REACH_WRITER = re.compile(
    r"\b(?:follow (?:him|her|them|us|me)\b|follow @|(?:may|can) be reached\b|have a tip\b|"
    r"reach (?:him|her|them|the (?:reporters?|writers?|authors?))\b|e-?mail (?-i:[A-Z])\w+ [A-Z]?\w* ?at\b)",
    re.I,
)

#: Where the story is read in full, or where it ran first, opening the line (stop 41): "Read the
#: full story at Highcliff Post", "Continue reading on example.com", "This article originally
#: appeared on The Conversation.", "This story was first published by ProPublica", "Originally
#: published at Medium.", a cut's "Read more" glued before one, and an agency's "Follow AP's full
#: coverage of Brexit at https://...".  The rest of the line names the place: no clause after a
#: comma ("Originally published in 1851, the novel sold poorly." is news; "Originally published
#: on June 3, 2019." is not), and "The story first appeared in the Times and ..." opens with no
#: "this".
SOURCE_NOTE = re.compile(
    r"^\W*(?:read more\W*)?"
    r"(?:(?:read|see|get) the (?:full|rest of the|whole|complete|original|entire) (?:story|article|post|report|piece)"
    r"|continue reading"
    r"|this (?:article|story|post|report|piece|column|interview) (?:was |is |has been )?"
    r"(?:(?:originally|first) (?:appeared|published|posted|ran)|republished)"
    r"|originally (?:appeared|published|posted|ran)"
    r"|follow (?:[\w.'’-]+'s? )?(?:full |complete |live |all |more )?coverage of\b.{0,120}?)"
    r"\s+(?:(?:here|online|first|originally)\s+)?(?:at|on|in|by|from|via|with)\b(?:[^,;]|,\s*\d){0,150}$",
    re.I,
)
#: The site's own app offered, the verb first (stop 41): "Download the Elmstead Wire app for
#: iPhone and Android", "Install our free app", "Get the NBC News app for breaking news alerts".
#: News about an app names no reader and opens with no imperative ("The app was downloaded two
#: million times", "Download speeds rose 20% ...").
APP_PROMPT = re.compile(
    r"^\W*(?:download|install|get)\s+(?:the|our)\s+(?:free\s+|new\s+)?(?:[\w'’&.-]+\s+){0,4}apps?\b", re.I
)
#: A share bar's words with none of ``CTA_VERBS`` (stop 41): "Send this to a friend", "Post to
#: Flipboard" (the channel named: "posted to Facebook" and "the post to ..." are prose).  Counted as call-to-action
#: verbs (``CTA_VERBS``), a share bar needs three of them in a line that is no sentence.
SHARE_WORDS = re.compile(
    r"\b(?:send (?:this|it) to a friend|post to (?:facebook|x|twitter|flipboard|threads|linkedin|reddit|"
    r"pinterest|tumblr|whatsapp|bluesky|mastodon|email))\b",
    re.I,
)
#: The comment form's note in other words than WordPress's "will not be published" (stop 41),
#: boilerplate: "Your e-mail address won't be shown publicly.", "Your email is never shared."
COMMENT_NOTE = re.compile(
    r"\be-?mail(?: address)? (?:will not|won'?t|will never|is never|is not|isn'?t) (?:be )?"
    r"(?:published|shown|displayed|shared|made public)\b",
    re.I,
)
#: The publisher's registration in a footer (stop 41): "... is part of Stonebridge Media Ltd.
#: Registered in England.", "Registered in England and Wales No. 451593": a company's suffix or
#: number with it ("Its parent, registered in England, ..." names neither).
PUBLISHER_NOTE = re.compile(
    r"\b(?:ltd|limited|plc|llp)\b.{0,80}\bregistered in (?:england|scotland|wales|northern ireland|ireland)\b"
    r"|\bregistered in england (?:and|&) wales\b.{0,40}\b(?:no\.?|number)\s*:?\s*\d",
    re.I,
)
#: A copyright sign in a short line not opening it (stop 41, ``params.COPYRIGHT_WORDS``): "All
#: content © Maplewood Chronicle unless noted." (``BOILERPLATE`` has the sign opening the line).
COPYRIGHT = re.compile(r"\u00a9")
#: Speech reported: a line that says who said it is the news's, never one of stop 41's notes
#: (stop 41 review: "Download the government's new COVID app, health officials urged residents
#: on Monday.", "Users' email address will not be shared with advertisers, Meta said.", "The ©
#: symbol must appear on every page, the court ruled." went as a site's app prompt, comment
#: form note and copyright line).  A site's note names no speaker.
REPORTED = re.compile(r"\b(?:said|says|told|urged|warned|ruled|announced|according to)\b", re.I)
