"""Why digest decided what it did: a story's versions, and a pair of articles.

How it works
------------
* Times (``first_seen``, ``published``) are in the configured ``timezone``: as text as
  ``digest sources`` writes them ("2026-05-20 20:00 CEST"), in ``--json`` ISO 8601 with that
  offset.
* ``story``: each stored version of a story with the completeness figures the
  lead choice saved with it (``digest.dedup.lead``: shared content covered, clean
  length, truncated or not) and how many junk lines the cleaner removed.
* ``pair``: two stored articles compared at every stage of the engine, in the
  order the engine applies them: the LSH estimate on the salient terms, the
  tf-idf cosine and its split into names and other words (two articles of one source in the
  engine: their cosine without the source's own words, a few of them named:
  ``Engine.source_cosine``, ``digest.dedup.sourceterms``), the copy test
  (opening containment and names shared), then, when both are in the dedup
  window, the shared-neighbour link, its caps and the factors on it (how far apart in time
  the two were published, places their openings name that the other never mentions: each
  one's places are shown).  ``why`` names the stage that decided.

Special cases
-------------
* An article key given for a story resolves to its story.  So does the address of the
  story's page in ``digest serve`` (``http://127.0.0.1:8080/story/ID``, any ``--url-prefix``,
  or its path alone) where no article has it as its id or link (a site's own
  ``/story/123`` pages are its articles first).
* An article is named by its key or by the id the JSON digest shows beside
  it (the entry's own id: feed guid or replayed record id).  Feed ids are
  unique within one feed only: one that several sources used is refused,
  naming each key with its source (each entry's latest version).  An http(s) id is found by any spelling of its scheme and ``www.``
  (``identity.id_spellings``): a site that moved writes it anew, its stored articles as read;
  its host in any capitals (``identity.lower_host``: hosts are case-insensitive, paths not):
  as stored in one of those spellings (``Store.keys_of_guid``), or, no id nor link found so
  (below), stored with other capitals in its host (a scan of the table, as for a link:
  ``Store.guids_ending``, ``_ids_in_any_case``; before the link's scan).
* An article is named by its link too, as the digest shows it (the feed's link less its
  tracking parameters), in any spelling of its scheme and ``www.``, with or without its
  tracking parameters, its host in any capitals: as stored (``Store.keys_at``), or, none
  found so, stored with other capitals in its host, as its feed wrote it (a scan of the
  table: ``Store.links_ending``, ``_keys_in_any_case``).  A link that several articles were read from
  (two sources, or one page read under two ids) is refused so too.
* Articles outside the engine's window were never compared: ``why`` says so.  So were two
  in it when one was published further than ``Params.window`` from the other's story
  (``Engine.story_gap``): a story takes versions within that window of its own.  Two of a new
  source's backlog (pages dated years back, read today) were compared, among the articles
  read with them: ``App.explain_pair`` then compares them among the articles dated around
  them that had arrived by then (``engines.engine_of_pair``; ``engine_articles`` says how
  many: the run compared them among all it read, so the idf may differ a little).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import unquote

from .config import Config
from .dedup.copies import containment, is_copy, is_named_copy, names_shared, sketch
from .dedup.engine import Doc, Engine
from .dedup.fingerprint import cosine, only_names, without_names
from .dedup.params import COPY_NAMES
from .dedup.places import place_names
from .dedup.sourceterms import written
from .errors import DigestError
from .store.base import Store, StoredArticle, local_time
from .text.identity import after_host, id_spellings, is_http, lower_host, without_tracking
from .text.shown import terminal_line

#: How many of a source's own words ``pair`` names (what a reader recognises; all are set aside).
OWN_SHOWN = 6
#: A story's page in the archive (``digest serve``'s ``/story/<id>``, under any ``--url-prefix``),
#: as a full address or its path, with any query or fragment: the story id it names.
_STORY_PAGE = re.compile(r"^(?:https?://[^/?#]+)?(?:/[^?#]*)?/story/([^/?#]+)/?(?:[?#].*)?$")


def story(store: Store, story_id: str, cfg: Config | None = None) -> dict[str, Any]:
    """Each version of a story with its completeness score and why the lead won; with
    ``cfg``, the rule that mutes or boosts it in each digest (``filters``)."""
    st = store.get_story(story_id)
    if st is None:
        try:
            art = article(store, story_id, what="story or article")
        except DigestError:
            # the address of its page in `digest serve` (copied from the browser's address bar):
            # "http://127.0.0.1:8080/news/story/i40791e..." is the story i40791e...
            page = _STORY_PAGE.search(story_id.strip())
            st = store.get_story(unquote(page.group(1))) if page else None
            if st is None:
                raise
        else:
            st = store.get_story(art.story_id)
        assert st is not None
    versions = store.story_versions(st.id)
    tz = cfg.tz if cfg is not None else UTC
    return {
        "story": st.id,
        "story_id": st.id,  # the JSON digest's and search's name for it; "story" kept for scripts
        "first_seen": _local(st.first_seen, tz),
        "lead": st.lead_key,
        "versions": [
            {
                "key": v.key,
                "id": v.guid or v.key,  # as the JSON digest shows it
                "source": v.source,
                "title": v.title,
                "url": v.url,
                "published": _local(v.published, tz),
                **(v.score_detail or {}),
                "junk_removed": len(v.junk or []),
            }
            for v in versions
        ],
    } | _filters(cfg, versions)


def _local(dt: datetime | None, tz: tzinfo) -> datetime | None:
    """``dt`` in the configured ``timezone`` (a naive one is UTC, as stored)."""
    return None if dt is None else (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(tz)


def article(store: Store, name: str, *, what: str = "article") -> StoredArticle:
    """The stored article keyed ``name``, else the one whose entry id is ``name``: of an entry
    updated in place (``digest.revisions``), its latest version."""
    found = store.get_article(name)
    if found is not None:
        return found
    # an http(s) id as the feed writes it now or wrote it before its site moved (an entry's
    # first article keeps the id it was read with, a revision has the id of its day)
    keys = sorted({k for spelt in {name, *_spellings(name)} for k in store.keys_of_guid(spelt)})
    link = not keys and is_http(name)
    if link:  # the link the digest shows (the feed's, less tracking), however its site spells it
        spelt = sorted({*_spellings(name), *_spellings(without_tracking(name.strip()))})
        keys = store.keys_at(spelt)
        # neither as stored (index look-ups): an id, then a link, stored with other capitals in
        # its host (a scan of the table each)
        if not keys and (keys := _ids_in_any_case(store, sorted(_spellings(name)))):
            link = False
        keys = keys or _keys_in_any_case(store, spelt)
    if not keys and store.has_articles([name]):  # its key is known, its article gone: pruned
        from .retention import kept_from

        first = kept_from(store)
        since = f": the store keeps the days from {first.isoformat()} on (keep_days)" if first else ""
        raise DigestError(f"{name}: pruned{since}")
    if not keys:
        raise DigestError(f"{name}: no {what} has this id or link" if is_http(name) else f"{name}: no such {what}")
    rows = [a for k in keys if (a := store.get_article(k)) is not None]
    if len(rows) == len(keys) and len({a.revision_of or a.key for a in rows}) == 1:
        return max(rows, key=lambda a: (a.fetched, a.key))
    if len(keys) > 1:
        # each entry once (its latest version), each key with its source when they differ: "from
        # 2 sources; name one by its key: i31.., ie3.." left the reader to guess whose was whose
        latest: dict[str, StoredArticle] = {}
        for a in sorted(rows, key=lambda a: (a.fetched, a.key)):
            latest[a.revision_of or a.key] = a
        named = sorted(latest.values(), key=lambda a: (a.source, a.key)) if rows else []
        sources = sorted({a.source for a in named})
        whose = f"from {len(sources)} sources" if len(sources) > 1 else f"all from {sources[0]}" if sources else ""
        shown = ([f"{a.key} ({a.source})" for a in named] if len(sources) > 1
                 else [a.key for a in named] if named else keys)
        raise DigestError(f"{name}: the {'link' if link else 'id'} of {len(shown)} articles ({whose}); "
                          f"name one by its key: {', '.join(shown)}")
    found = store.get_article(keys[0])
    assert found is not None
    return found


def _spellings(name: str) -> set[str]:
    """The ids or links ``name`` may be stored as: each of ``id_spellings`` of it as given and
    with its host in lower case (``lower_host``: ``https://NEWS.example/x`` is the page
    ``https://news.example/x``; a path's case stays)."""
    return {*id_spellings(name), *id_spellings(lower_host(name.strip()))}


def _asked(spelt: list[str]) -> tuple[set[str], list[str], list[int]]:
    """For a scan by host in any capitals: the spellings with their host lower-cased, what
    follows each host (as spelt: a path's case tells pages apart), and the lengths of those that
    end at their host ("https://NEWS.Example" has no tail to ask for)."""
    wanted = {lower_host(s) for s in spelt}
    tails = sorted({t for s in spelt if (t := after_host(s))})
    bare = sorted({len(s) for s in spelt if after_host(s) == ""})
    return wanted, tails, bare


def _keys_in_any_case(store: Store, spelt: list[str]) -> list[str]:
    """The keys of the articles read from one of the links ``spelt`` with other capitals in its
    host: a link is stored as its feed wrote it (``https://NEWS.Example/x``, in an old store or
    from a feed that writes hosts so), and ``keys_at`` finds a link as stored only.  Asked for
    what follows the host, as spelt (a path's case tells pages apart), or, for a link that ends
    at its host ("https://NEWS.Example"), by its length, then compared with ``lower_host``;
    only when no article has the link as stored (a scan of the table).  The listed sources'
    articles first, as ``keys_at``; of the others, none there."""
    wanted, tails, bare = _asked(spelt)
    found = [(k, listed) for k, url, listed in store.links_ending(tails, bare) if lower_host(url) in wanted]
    return sorted({k for k, listed in found if listed} or {k for k, _ in found})


def _ids_in_any_case(store: Store, spelt: list[str]) -> list[str]:
    """The keys of the articles whose entry id is one of ``spelt`` with other capitals in its
    host: an id is stored as its feed wrote it (``https://NEWS.Example/?p=42``), and
    ``keys_of_guid`` finds it as stored only.  Asked for as :func:`_keys_in_any_case` asks for
    a link (what follows the host, as spelt, or the length of one that ends at its host, then
    compared with ``lower_host``); every source's, as ``keys_of_guid``; only when no article
    has it as an id or a link as typed or in another spelling (a scan of the table)."""
    wanted, tails, bare = _asked(spelt)
    return sorted({k for k, guid in store.guids_ending(tails, bare) if lower_host(guid) in wanted})


def _filters(cfg: Config | None, versions: list[StoredArticle]) -> dict[str, Any]:
    """{"filters": {digest: "mute: PATTERN"}} for the digests whose rules match, else {}."""
    if cfg is None:
        return {}
    from .output.digests import categories, plans
    from .output.filters import versions as readable

    seen = readable(versions, categories(cfg))
    rules = {}
    for plan in plans(cfg):
        for kind in ("mute", "boost"):
            rule = plan.rules.first(kind, seen) if plan.rules else None
            if rule is not None:
                rules[plan.name or "digest"] = f"{kind}: {rule.pattern}"
                break
    return {"filters": rules} if rules else {}


#: What each cap on a link (``Engine.pair_caps``) says when it is the one that held the pair apart.
CAP_WHY = {
    "relative_cosine": "the pair's cosine or its non-name words are too far below their nearest neighbours'",
    "profile": (
        "their cosines to the articles around them run opposite ways (neighbour profiles: "
        "two events of one kind, each close to its own reports)"
    ),
    "young": (
        "both have few neighbours (a young neighbourhood) and their own cosine and names "
        "cosine are too low"
    ),
    "crowd": (
        "in a young store, published days apart, their cosine is too far below the closer one's "
        "nearest neighbour's (two events of one kind, each close to its own reports)"
    ),
}


#: What each factor on a link (``Engine.pair_factors``) says when the factors took it under the threshold.
FACTOR_WHY = {
    "time": "published {days} days apart: past a {grace}-day grace a link counts less (x{f:.2f})",
    "places": "each one's opening names a place the other never mentions (x{f:.2f})",
    "clock": "both openings state the time of day the event happened, and no time agrees (x{f:.2f})",
    "offices": (
        "one office has a different holder in each, or one names a person elected whom the other "
        "names in office: two times (x{f:.2f})"
    ),
}

DAY = 86400.0


def _days(seconds: float) -> str:
    """Seconds as days to one decimal, a whole day without it ("1.5", "30.2", "36"): whole days
    alone made "30 days away" of 30.2, which the 30-day window it was held to then contradicted."""
    d = f"{seconds / DAY:.1f}"
    return d.removesuffix(".0")


def _binding(link: float, factors: dict[str, float], threshold: float) -> dict[str, float]:
    """The factors that took ``link`` (the capped link before them) under ``threshold``: the
    strongest first, as many as it took; a factor of 0.99 beside a 0.5 is not blamed."""
    out: dict[str, float] = {}
    for name, f in sorted(factors.items(), key=lambda kv: kv[1]):
        out[name] = f
        link *= f
        if link < threshold:
            break
    return out


def pair(engine: Engine, ra: StoredArticle, rb: StoredArticle) -> dict[str, Any]:
    """Similarity of two stored articles (:func:`article`) at each stage, and the decision."""
    a, b = ra.key, rb.key  # an entry id given: the engine knows the article by its key
    # as the rebuilt engine reads them: one of another format is made again from its text
    fa = engine.stored_fingerprint(Doc(ra.key, ra.title, ra.text), ra.fingerprint)
    fb = engine.stored_fingerprint(Doc(rb.key, rb.title, rb.text), rb.fingerprint)
    va, vb = engine.idf.vector(fa.terms), engine.idf.vector(fb.terms)
    lsh = fa.minhash().jaccard(fb.minhash())
    sim = cosine(va, vb)
    words = cosine(without_names(va), without_names(vb))
    names = cosine(only_names(va), only_names(vb))
    ska, skb = sketch(ra.text, ra.title), sketch(rb.text, rb.title)
    ia, ib = fa.vocab_idx(), fb.vocab_idx()
    sequence = is_copy(ska, skb)  # the same word sequence (or its opening)
    named = names_shared(ia, ib)
    p = engine.params
    same = ra.story_id == rb.story_id
    link: dict[str, Any] = {}
    one_text = False
    own: dict[str, Any] = {}
    if a in engine and b in engine:
        mine = engine.source_cosine(a, b)
        if mine is not None and mine[1].size:  # one source's articles: its own words are no evidence
            own = {
                "cosine_without_source_words": round(mine[0], 3),
                "source_words": written(mine[1], f"{ra.title}\n{rb.title}", f"{ra.text}\n{rb.text}", OWN_SHOWN),
                "source_words_count": int(mine[1].size),
            }
        caps, factors = engine.pair_caps(a, b), engine.pair_factors(a, b)
        shared, cap, both = engine.pair_link(a, b, caps, factors)  # each read once
        gap = engine.story_gap(a, b)
        (ga, sa), (gb, sb) = engine.copy_state(a), engine.copy_state(b)
        one_text = ga is not None and ga == gb
        link = {
            "shared_neighbours": round(shared, 3),
            "cosine_cap": round(cap, 3),
            "caps": {name: round(value, 3) for name, value in caps.items()},
            "factors": {name: round(value, 3) for name, value in factors.items()},
            "link": round(both, 3),
            "link_threshold": p.shared,
            "one_copy_group": one_text,
            "silent": [sa, sb],
        }
    if same and one_text:
        why = (
            "same story: copies of one text, kept together whatever their links "
            "(a silent copy of the same text is nobody's neighbour and follows its group)"
        )
    elif same:
        why = "same story"
    elif sequence and named < COPY_NAMES:
        why = (
            f"the same word sequence around other names (names shared {named:.2f} < {COPY_NAMES}): "
            "a templated report of another event, not a copy"
        )
    elif not link:
        why = "not both in the dedup window: never compared"
    elif gap is not None and gap > p.window:
        why = (f"never compared: one was published {_days(gap)} days away from the other's story "
               f"(a story takes versions published within {_days(p.window)} days of its first or latest)")
    elif link["link"] < p.shared:
        if shared < p.shared:
            part = "their nearest neighbours differ"
        elif cap < p.shared:
            part = CAP_WHY[min(caps, key=caps.__getitem__)]
        else:
            apart = abs((ra.published or ra.fetched) - (rb.published or rb.fetched)).total_seconds()
            part = "; ".join(FACTOR_WHY[name].format(days=_days(apart), grace=_days(p.time_grace), f=f)
                             for name, f in _binding(min(shared, cap), factors, p.shared).items())
        why = f"link {both:.2f} below {p.shared}: {part}"
        if own:
            why += (f"; between two articles of {ra.source}, its own words ({', '.join(own['source_words'])}) "
                    f"are set aside: cosine {own['cosine_without_source_words']:.2f} without them")
    else:
        why = "linked as a pair, but not to the other story's members on average (no chaining)"
    return {
        "engine_articles": len(engine),  # what it was compared among: the window when the later arrived
        "a": {"key": a, "source": ra.source, "title": ra.title, "story": ra.story_id, "story_id": ra.story_id},
        "b": {"key": b, "source": rb.source, "title": rb.title, "story": rb.story_id, "story_id": rb.story_id},
        "stages": {
            "lsh_salient_jaccard_estimate": round(lsh, 3),
            "lsh_threshold": p.lsh_threshold,
            "tfidf_cosine": round(sim, 3),
            "non_name_words_cosine": round(words, 3),
            "names_cosine": round(names, 3),
            **own,
            "copy_opening_containment": round(containment(ska, skb), 3),
            "copy_names_shared": round(named, 3),
            "copy": is_named_copy(ska, skb, ia, ib),
            "opening_places": {"a": place_names(ra.title, ra.text), "b": place_names(rb.title, rb.text)},
            **link,
        },
        "merged": same,
        "why": why,
    }


def as_text(obj: object, indent: int = 0, cfg: Config | None = None) -> str:
    """``explain``'s answer as indented text: ``key: value`` lines, lists as ``- item``; a time
    as ``digest sources`` writes one (``store.base.local_time``: "2026-05-20 20:00 CEST", in
    ``cfg``'s ``timezone``)."""
    pad = "  " * indent
    if isinstance(obj, dict):
        lines = []
        for k, v in obj.items():
            if k == "story" and "story_id" in obj and obj["story_id"] == v:
                continue  # the same id twice for a person ("story" is kept in the JSON for scripts)
            if isinstance(v, dict | list):
                lines.append(f"{pad}{k}:")
                lines.append(as_text(v, indent + 1, cfg))
            else:
                lines.append(f"{pad}{k}: {_value(v, cfg)}")
        return "\n".join(lines)
    if isinstance(obj, list):
        return "\n".join(
            (as_text(v, indent, cfg) if isinstance(v, dict | list) else f"{pad}- {_value(v, cfg)}")
            + ("\n" if isinstance(v, dict) else "")
            for v in obj
        )
    return f"{pad}{_value(obj, cfg)}"


def _value(v: object, cfg: Config | None) -> object:
    if isinstance(v, str):  # a feed's title or outlet: one line, driving no terminal
        return terminal_line(v)
    if not isinstance(v, datetime):
        return v
    tz = cfg.tz if cfg is not None else UTC
    return local_time(_local(v, tz) or v, tz)
