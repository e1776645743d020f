"""The copies of ``benchmarks.syndicate``: ECB+ originals republished by fake sites in their junk.

Observations
------------
* A site republishing a wire or partner article wraps the same body in its own junk
  (headers, share and app prompts, newsletter boxes, related headlines, comment forms,
  author bios, view counters), cuts it to a feed summary, edits the title, changes quotes,
  paragraphs and line wraps, as HTML or plain text.
* So every fake site here gets its own name, sections, phrasings and class names, drawn
  from several templates per kind, and each article per-article parts (other stories'
  headlines, view counts, author bios): no fixed phrase list passes the benchmark, and a
  site's recurring lines stay (real-world signal).

How it works
------------
:func:`build_mixture` draws originals (four sentences or more) with a seed and gives each
1-4 copies (:func:`make_copy`) from distinct sites (:func:`make_site`): a full-body copy
(about 70%, some junk-free) or a truncated summary.  Each :class:`Version` carries its
record (the batch contract), its original, its gold event, its kind and its junk's size.
Deterministic for a seed.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# -- vocabulary: pieces that templates combine at random ----------------------

PLACES = ("Riverside Harbor Northgate Ashford Millbrook Eastvale Kingsport Redhill Lakemont "
          "Brookfield Westmarch Stonebridge Clearwater Oakdale Fairhaven Highcliff Elmstead "
          "Cedar Bay Granite Falls Silverton Maplewood Thornbury Coldwater Pinecrest").split()
NOUNS = ("Herald Chronicle Post Gazette Courier Tribune Ledger Sentinel Observer Dispatch "
         "Bulletin Examiner Journal Record Times Star Beacon Monitor Register Wire").split()
SECTIONS = ("Home News World Local Politics Business Markets Tech Science Health Sport Sports "
            "Culture Arts Opinion Travel Food Weather Video Podcasts Lifestyle Entertainment").split()
PLATFORMS = ("Facebook X Twitter WhatsApp Telegram LinkedIn Reddit Pinterest Flipboard "
             "Email Threads Bluesky").split()
FIRST = ("Anna Ben Carla Dev Elena Farid Grace Hiro Ines Jonah Kemi Liam Mara Nikhil Olga "
         "Priya Quentin Rosa Sam Tariq Uma Viktor Wen Yara Zoe").split()
LAST = ("Abbott Brennan Castillo Dlamini Eriksen Fontaine Gallagher Haddad Iwu Jensen Kowalski "
        "Lindqvist Moreau Nakamura Okafor Petrov Quinn Rahman Sato Thornton Umarov Vance "
        "Whitaker Yilmaz Zeller").split()
BEATS = ("crime and courts", "city hall", "breaking news", "sport", "science and health",
         "business", "entertainment", "national politics", "the environment", "technology")
ROLES = ("staff writer", "senior reporter", "news editor", "correspondent", "digital producer",
         "freelance journalist", "contributing editor")


def pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def person(rng: random.Random) -> str:
    return f"{pick(rng, FIRST)} {pick(rng, LAST)}"


def date_text(rng: random.Random) -> str:
    month = pick(rng, ("January", "February", "March", "April", "May", "June", "July",
                       "August", "September", "October", "November", "December"))
    d, y, h, m = rng.randint(1, 28), rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(0, 59)
    return pick(rng, (f"{month} {d}, {y}", f"{d} {month} {y}", f"{y}-{rng.randint(1, 12):02d}-{d:02d}",
                      f"{month[:3]} {d}, {y} {h}:{m:02d} {pick(rng, ('AM', 'PM', 'am', 'pm'))}"))


def count_text(rng: random.Random) -> str:
    n = rng.randint(12, 250_000)
    return pick(rng, (f"{n:,}", str(n), f"{n / 1000:.1f}K", f"{n / 1000:.1f}k"))


@dataclass
class Site:
    """A fake outlet: fixed name, layout and phrasings; per-article parts vary."""

    name: str
    domain: str
    html: bool
    fragment: bool  # HTML as a feed's content fragment rather than a whole page
    sep: str
    nav: list[str]
    staff: list[str]
    blocks: list[str]  # junk kinds this site prints, in its order
    phr: dict[str, str] = field(default_factory=dict)  # the site's fixed phrasings


def make_site(rng: random.Random, used: set[str]) -> Site:
    while True:
        name = pick(rng, (f"The {pick(rng, PLACES)} {pick(rng, NOUNS)}",
                          f"{pick(rng, PLACES)} {pick(rng, NOUNS)}",
                          f"The Daily {pick(rng, NOUNS)}", f"{pick(rng, PLACES)} Today",
                          f"{pick(rng, NOUNS)} {pick(rng, ('Online', 'Now', '24', 'Express', 'Live'))}"))
        if name not in used:
            used.add(name)
            break
    slug = re.sub(r"[^a-z0-9]+", "", name.lower().removeprefix("the "))
    bare = name.removeprefix("The ")
    kinds = ["share", "newsletter", "app", "related", "comments", "bio", "views", "footer", "ad"]
    rng.shuffle(kinds)
    phr = {
        "share_head": pick(rng, ("Share this:", "Share this article", "Share", "SHARE",
                                 "Spread the word", "Share on:", "Send this to a friend")),
        "share_fmt": pick(rng, ("{p}", "Share on {p}", "Click to share on {p} (Opens in new window)",
                                "{p} icon", "Post to {p}")),
        "news_head": pick(rng, (f"Get the {bare} briefing", f"The {pick(rng, PLACES)} Morning Note",
                                "Our free newsletter", f"Sign up for {name} Daily",
                                "Stay in the loop", "Never miss a story")),
        "app": pick(rng, (
            f"Download the {bare} app for iPhone and Android",
            f"Get our app: read {name} on the go, free on the App Store and Google Play",
            f"Install the {bare} app for breaking-news alerts",
            f"Follow {name} on Telegram for instant updates",
            f"Join the {bare} channel on WhatsApp - tap here",
            "Get the latest headlines on your phone: download our app")),
        "rel_head": pick(rng, ("Related", "Related stories", f"More from {name}", "You might also like",
                               "Recommended for you", "Trending now", "Most read", "Don't miss",
                               "Also read", "READ MORE", "Popular this week")),
        "cm_head": pick(rng, ("Leave a Reply", "Leave a comment", "Post a comment",
                              "Join the discussion", "What do you think?", "Comments")),
        "cm_note": pick(rng, ("Your email address will not be published.",
                              "Your e-mail address won't be shown publicly.",
                              "We never share your email.",
                              "Comments are moderated and may take a while to appear.")),
        "foot": pick(rng, (f"© {rng.randint(2010, 2024)} {name}. All rights reserved.",
                           f"Copyright {rng.randint(2010, 2024)} {name} Media Group",
                           f"{name} is part of {pick(rng, PLACES)} Media Ltd. Registered in England.",
                           f"All content © {name} unless noted.")),
        "ad": pick(rng, ("Advertisement", "ADVERTISEMENT", "- Advertisement -", "Sponsored",
                         "Story continues below advertisement", "Continue reading below")),
        "cls": pick(rng, ("share", "sharing", "social-share", "sd-sharedaddy", "post-share", "sns")),
    }
    return Site(
        name=name, domain=f"www.{slug}.{pick(rng, ('com', 'co.uk', 'net', 'news', 'org'))}",
        html=rng.random() < 0.5, fragment=rng.random() < 0.5,
        sep=pick(rng, (" | ", " · ", " / ", "  ", " • ")),
        nav=rng.sample(SECTIONS, rng.randint(4, 8)),
        staff=[person(rng) for _ in range(4)],
        blocks=kinds[: rng.randint(3, 7)],
        phr=phr,
    )


# -- junk blocks: each returns the block's lines -------------------------------

Headlines = Callable[[random.Random], str]


def junk_block(kind: str, site: Site, rng: random.Random, author: str, headline: Headlines) -> list[str]:
    p = site.phr
    if kind == "share":
        plats = rng.sample(PLATFORMS, rng.randint(2, 5))
        items = [p["share_fmt"].format(p=x) for x in plats]
        return [p["share_head"], *items] if rng.random() < 0.5 else [f"{p['share_head']} {' '.join(items)}"]
    if kind == "newsletter":
        return [p["news_head"], pick(rng, (
            f"Sign up to get {pick(rng, ('our best stories', 'the top headlines', 'local news'))} "
            f"in your inbox {pick(rng, ('every morning', 'each weekday', 'once a week'))}.",
            "Enter your email address", "Email address", "The essential news, every day.")),
            pick(rng, ("Subscribe", "Sign up", "Sign me up", "Join now")),
            pick(rng, ("By signing up you agree to our Terms of Use and Privacy Policy.",
                       "You can unsubscribe at any time.", "We respect your privacy.",
                       "Thank you for subscribing!"))]
    if kind == "app":
        return [p["app"]]
    if kind == "related":
        return [p["rel_head"], *(headline(rng) for _ in range(rng.randint(3, 5)))]
    if kind == "comments":
        n = rng.randint(0, 480)
        lines = [pick(rng, (f"{n} Comments", f"{n} comments", f"Comments ({n})", p["cm_head"]))]
        lines += [p["cm_note"], pick(rng, ("Required fields are marked *", "All fields are required")),
                  "Comment *", "Name *", "Email *", pick(rng, ("Website", "Website (optional)")),
                  pick(rng, ("Save my name, email, and website in this browser for the next time I comment.",
                             "Notify me of new posts by email.", "Remember me")),
                  pick(rng, ("Post Comment", "Submit", "Send", "Publish"))]
        return lines[: rng.randint(3, len(lines))]
    if kind == "bio":
        first = author.split()[0]
        return [f"{author} is a {pick(rng, ROLES)} at {site.name} covering {pick(rng, BEATS)}. "
                + pick(rng, (f"{first} joined in {rng.randint(2001, 2023)}.",
                             f"Before that, {first} worked for the {pick(rng, PLACES)} {pick(rng, NOUNS)}.",
                             f"{first} studied journalism in {pick(rng, PLACES)}.")),
                pick(rng, (f"Follow {first} on X @{first.lower()}{rng.randint(1, 99)}",
                           f"Contact: {first.lower()}@{site.domain.removeprefix('www.')}",
                           f"More articles by {author}", f"View all posts by {author}"))]
    if kind == "views":
        return [pick(rng, (f"Views: {count_text(rng)}", f"{count_text(rng)} views", f"{count_text(rng)} reads",
                           f"👁 {count_text(rng)}", f"Read time: {rng.randint(1, 9)} min",
                           f"{rng.randint(1, 9)} min read"))]
    if kind == "footer":
        return [p["foot"], site.sep.join(rng.sample(
            ["Privacy Policy", "Terms of Service", "Cookie Settings", "Contact Us", "About", "Advertise",
             "Careers", "Corrections", "Accessibility"], rng.randint(3, 6)))]
    if kind == "ad":
        return [p["ad"]]
    raise ValueError(kind)


def header_lines(site: Site, rng: random.Random, author: str) -> list[str]:
    lines = [site.name, site.sep.join(site.nav)]
    if rng.random() < 0.5:
        lines.insert(0, pick(rng, ("Skip to content", "Menu", "Search", "Sign in", "Subscribe")))
    lines.append(pick(rng, (f"By {author}", f"By {author.upper()}", f"{author} - {date_text(rng)}",
                            f"Published {date_text(rng)}", f"Posted on {date_text(rng)} by {author}",
                            f"Updated: {date_text(rng)}")))
    return lines


# -- text transformations ------------------------------------------------------

_SENT = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?]'')|(?<=[.!?] '')|(?<=[.!?][\"”])|(?<=[.!?] [\"”]))"
    r"\s+(?=[\"“`A-Z0-9])"
)


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text.strip()) if s]


def detokenize(s: str) -> str:
    s = re.sub(r"\s+([,.;:!?%)\]])", r"\1", s)
    s = re.sub(r"([$(\[])\s+", r"\1", s)
    return re.sub(r"\s+('s|'m|'re|'ve|'ll|'d|n't)\b", r"\1", s)


def quotes(s: str, style: str) -> str:
    if style == "straight":
        s = s.replace("''", '"').replace("``", '"')
        return s.translate(str.maketrans("“”‘’", "\"\"''"))
    s = s.replace("''", "”").replace("``", "“")
    s = re.sub(r"(?<=\w)'(?=\w)", "’", s)
    out, opening = [], True
    for ch in s:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


def paragraphs(sents: list[str], rng: random.Random) -> list[str]:
    out, i = [], 0
    while i < len(sents):
        k = rng.randint(1, 4)
        out.append(" ".join(sents[i : i + k]))
        i += k
    return out


def wrap(par: str, width: int) -> str:
    """Hard-wrap each line of ``par`` at ``width`` columns (0: leave as is)."""
    if not width or "\n" in par:
        return "\n".join(wrap(line, width) for line in par.split("\n")) if width else par
    lines, cur = [], ""
    for w in par.split():
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return "\n".join([*lines, cur])


def retitle(title: str, site: Site, rng: random.Random) -> str:
    t = title.strip()
    r = rng.random()
    if r < 0.3:
        t = t.rstrip(" .") + pick(rng, (f" | {site.name}", f" - {site.name}", f" — {site.name}",
                                          f" :: {site.name}", f" ({site.name})"))
    elif r < 0.5:
        t = pick(rng, ("BREAKING: ", "Breaking News: ", "UPDATE: ", "Updated: ", "LIVE: ",
                       "WATCH: ", "Exclusive: ", "Just in: ", "REPORT: ")) + t
    elif r < 0.6:
        t = t.upper()
    elif r < 0.7:
        t = " ".join(w[:1].upper() + w[1:] for w in t.split())
    if rng.random() < 0.5:
        t = t.rstrip(" .")
    return t


def make_headline(pool: Sequence[dict[str, Any]]) -> Headlines:
    def headline(rng: random.Random) -> str:
        words = detokenize(pool[rng.randrange(len(pool))]["title"]).split()
        h = " ".join(words[: rng.randint(6, 12)]).rstrip(",;:- ")
        return h.title() if rng.random() < 0.3 else h

    return headline


# -- versions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Version:
    id: str
    origin: str  # the ECB+ id this is a version of (itself for ECB+ articles)
    event: str
    kind: str  # "ecb" (an ECB+ article), "full" (full-body copy) or "summary"
    junk: int  # characters of site junk added (0: junk-free)
    html: bool
    record: dict[str, Any]


def summary_body(text: str, rng: random.Random) -> str:
    sents = sentences(text)
    if rng.random() < 0.5:
        return " ".join(sents[: rng.randint(1, 2)])
    limit = rng.randint(120, 320)
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + pick(rng, ("...", "…", " […]", " [...]", "… Read more", " (more)"))


def make_copy(orig: dict[str, Any], k: int, site: Site, rng: random.Random,
              headline: Headlines) -> Version:
    title = retitle(orig["title"], site, rng)
    text = orig["text"]
    if rng.random() < 0.5:
        text, title = detokenize(text), detokenize(title)
    style = pick(rng, ("straight", "curly", "keep"))
    if style != "keep":
        text, title = quotes(text, style), quotes(title, style)
    author = pick(rng, site.staff)
    summary = rng.random() < 0.3
    if summary:
        pars = [summary_body(text, rng)]
        top: list[list[str]] = []
        bottom: list[list[str]] = []
        if rng.random() < 0.4:  # what feeds append to summaries
            bottom = [[pick(rng, (
                f"The post {title} appeared first on {site.name}.", f"Read the full story at {site.name}",
                f"Continue reading on {site.domain} »", f"This article originally appeared on {site.name}.",
                f"(Source: {site.name})"))]]
    else:
        pars = paragraphs(sentences(text), rng)
        if rng.random() < 0.15:  # junk-free copy: only title, quotes and reflow differ
            top, bottom = [], []
        else:
            top = [header_lines(site, rng, author)] if rng.random() < 0.7 else []
            bottom = [junk_block(kind, site, rng, author, headline) for kind in site.blocks]
    junk = sum(len(line) for b in top + bottom for line in b)
    if len(pars) > 2 and bottom and rng.random() < 0.4:  # one block inside the body
        pars.insert(rng.randint(1, len(pars) - 1), "\n".join(bottom.pop(0)))
    if site.html and not site.fragment:  # a whole page: logo, navigation and footer too
        junk += len(site.name) + sum(map(len, site.nav)) + len(site.phr["foot"])
    cid = f"{orig['id']}~{k}"
    rec: dict[str, Any] = {"id": cid, "title": title, "source": site.name,
                           "url": f"https://{site.domain}/{rng.randint(1000, 99999)}/{cid}"}
    if site.html:
        rec["html"] = to_html(site, title, pars, top, bottom, rng)
    else:
        body = [*("\n".join(b) for b in top), *pars, *("\n".join(b) for b in bottom)]
        width = rng.choice((0, 0, 64, 72, 80))
        rec["text"] = "\n\n".join(wrap(p, width) for p in body)
    kind = "summary" if summary else "full"
    return Version(cid, orig["id"], orig["event"], kind, junk, site.html, rec)


def to_html(site: Site, title: str, pars: list[str], top: list[list[str]],
            bottom: list[list[str]], rng: random.Random) -> str:
    e = html.escape
    body = "\n".join(
        "<div class=\"inline-box\">" + "<br>".join(e(x) for x in p.split("\n")) + "</div>"
        if "\n" in p else f"<p>{e(p)}</p>" for p in pars
    )
    cls = site.phr["cls"]
    tail = "\n".join(
        f'<div class="{cls if i == 0 else f"block-{i}"}"><ul>' + "".join(f"<li>{e(x)}</li>" for x in b)
        + "</ul></div>" for i, b in enumerate(bottom)
    )
    if site.fragment:
        head = "\n".join(f"<p><em>{e(' / '.join(b))}</em></p>" for b in top)
        return f"{head}\n{body}\n{tail}"
    nav = "".join(f'<li><a href="/{s.lower()}">{e(s)}</a></li>' for s in site.nav)
    byline = e(top[0][-1]) if top else ""
    return (
        f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{e(title)}</title></head><body>"
        f"<header><div class=\"logo\">{e(site.name)}</div><nav><ul>{nav}</ul></nav></header>"
        f"<main><article><h1>{e(title)}</h1><div class=\"byline\">{byline}</div>\n{body}\n</article>"
        f"<aside>{tail}</aside></main><footer>{e(site.phr['foot'])}</footer></body></html>"
    )


def build_mixture(rows: list[dict[str, Any]], n_originals: int, seed: int) -> list[Version]:
    """The ECB+ rows plus 1-4 copies of ``n_originals`` of them (deterministic in ``seed``)."""
    rng = random.Random(seed)
    eligible = [r for r in rows if len(r["text"].split()) >= 80 and len(sentences(r["text"])) >= 4]
    originals = rng.sample(eligible, min(n_originals, len(eligible)))
    used: set[str] = set()
    sites = [make_site(rng, used) for _ in range(40)]
    headline = make_headline(rows)
    out = [Version(r["id"], r["id"], r["event"], "ecb", 0, False,
                   {"id": r["id"], "title": r["title"], "text": r["text"]}) for r in rows]
    for orig in originals:
        for k, site in enumerate(rng.sample(sites, rng.randint(1, 4))):
            out.append(make_copy(orig, k, site, rng, headline))
    return out
