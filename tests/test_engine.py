"""The dedup engine on fixtures written for this project (pure: no disk, no network)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from digest.dedup.engine import Doc, Engine, Params
from digest.dedup.fingerprint import Fingerprint, IdfModel, fingerprint, signature
from digest.dedup.terms import term_weights
from tests.support.reference import Version, choose_lead
from tests.support.stories import FIX, PIRATES, load


def test_rewrites_join_and_different_events_stay_apart() -> None:
    eng = Engine()
    for name in ("quake_a1", "council_a", "quake_b", "quake_a2", "council_b"):
        eng.add(load(name))
    assert eng.story_of("quake_a1") == eng.story_of("quake_a2")
    # same kind of event (two earthquakes), different events
    assert eng.story_of("quake_b") != eng.story_of("quake_a1")
    # same people and council, different decisions
    assert eng.story_of("council_a") != eng.story_of("council_b")
    assert len(eng.stories()) == 4


#: Another earthquake reported from the same template: the same words around other names.
TEMPLATE = {
    "6.1": "5.4", "Taranaki": "Gisborne", "Opunake": "Tolaga", "4,000": "1,300", "4.12am": "11.40pm",
    "18": "25", "30": "12", "Mere": "Rawiri", "Tukino": "Paki", "20-metre": "8-metre",
    "New Plymouth": "Tokomaru Bay", "Powerco": "Eastland", "Manaia": "Ruatoria", "Anna": "John",
    "Berg": "Ristau", "40": "25", "4.3": "3.9",
}


def templated(doc: Doc, doc_id: str) -> Doc:
    def swap(text: str) -> str:
        return re.sub("|".join(sorted(map(re.escape, TEMPLATE), key=len, reverse=True)),
                      lambda m: TEMPLATE[m.group(0)], text)

    return Doc(id=doc_id, title=swap(doc.title), text=swap(doc.text))


def test_templated_reports_of_two_events_stay_apart() -> None:
    """Wire templates (quakes, results, earnings) repeat every word but the names and numbers:
    as word sequences they look like copies, and two of them are each other's only neighbours;
    the names they do not share keep them apart, while a copy and a summary still join."""
    a = load("quake_a1")
    b = templated(a, "quake_gisborne")
    first_par = a.text.strip().split("\n")[0]
    eng = Engine()
    eng.add(a)
    eng.add(b)
    assert eng.story_of("quake_gisborne") != eng.story_of("quake_a1")
    eng.add(Doc(id="copy", title=a.title + " | Coast News", text="Share this\n" + a.text))
    eng.add(Doc(id="summary", title=b.title, text=first_par.replace("Taranaki", "Gisborne")
                .replace("Opunake", "Tolaga").replace("6.1", "5.4").replace("4,000", "1,300") + " …"))
    assert eng.story_of("copy") == eng.story_of("quake_a1")
    assert eng.story_of("summary") == eng.story_of("quake_gisborne")
    assert len(eng.stories()) == 2


def test_a_templated_report_of_another_event_is_not_a_copy() -> None:
    """As word sequences the two reports are copies (most 4-shingles are shared); the copy test
    also asks that the shorter one's names be the other's."""
    from digest.dedup.copies import is_copy, sketch
    from digest.dedup.engine import names_shared

    one = dict(sea="Gulf of Aden", ship="INS Tabar", officer="Commander Nirmal Verma", port="Mumbai")
    two = dict(sea="Mozambique Channel", ship="FS Nivose", officer="Captain Hugues Laine", port="Toulon")
    a = Doc(id="aden", title="Navy foils pirate attack in Gulf of Aden", text=PIRATES.format(**one))
    b = Doc(id="channel", title="Navy foils pirate attack in Mozambique Channel", text=PIRATES.format(**two))
    assert is_copy(sketch(a.text, a.title), sketch(b.text, b.title))  # the word sequences alone
    eng = Engine()
    fa, fb = eng.fingerprint(a), eng.fingerprint(b)
    assert names_shared(fa.vocab_idx(), fb.vocab_idx()) < 0.5
    eng.add(a)
    eng.add(b)
    assert eng.story_of("channel") != eng.story_of("aden")
    summary = Doc(id="brief", title=a.title, text=PIRATES.format(**one)[:300] + " …", truncated=True)
    assert eng.add(summary).story_id == eng.story_of("aden")


def test_a_templated_report_is_scaled_down_before_it_enters_the_neighbour_lists() -> None:
    """Where neighbourhoods are crowded, shared neighbours alone decide: a templated report of
    another event must not be a close neighbour in the first place, while a rewrite of the same
    event (other words, the same names) keeps its cosine."""
    from digest.dedup.fingerprint import cosine

    aden = dict(sea="Gulf of Aden", ship="INS Tabar", officer="Commander Nirmal Verma", port="Mumbai")
    channel = dict(sea="Mozambique Channel", ship="FS Nivose", officer="Captain Hugues Laine", port="Toulon")
    eng = Engine()
    eng.add(Doc(id="aden", title="Navy foils pirate attack in Gulf of Aden", text=PIRATES.format(**aden)))
    story = [eng._stories[eng.story_of("aden")]]
    templated = Doc(id="t", title="Navy foils pirate attack in Mozambique Channel", text=PIRATES.format(**channel))
    rewrite = Doc(id="r", title="Gulf of Aden: INS Tabar drives off pirates", text=(
        "Commander Nirmal Verma said the INS Tabar sent its helicopter when pirates in two speed boats "
        "fired on a grain carrier in the Gulf of Aden. The crew hid in a safe room; the navy in Mumbai "
        "said nobody was hurt and the attackers fled to the coast."))
    for doc, gated in ((templated, True), (rewrite, False)):
        fp = eng.fingerprint(doc)
        vidx, val, _w = eng._vector(fp)
        _members, sims = eng._member_cosines(vidx, val, story)
        raw = cosine(eng.idf.vector(fp.terms), eng.idf.vector(eng.fingerprint_of("aden").terms))
        assert raw > 0.25
        if gated:
            assert sims[0] < 0.5 * raw
        else:
            assert sims[0] == pytest.approx(raw, rel=1e-6)


def test_story_id_is_first_article_and_order_of_arrival_is_kept() -> None:
    eng = Engine()
    a = eng.add(load("quake_a2"))
    b = eng.add(load("quake_a1"))
    assert a.new_story and not b.new_story
    assert b.story_id == "quake_a2"


def test_wire_copy_with_junk_removed_is_one_story_and_summary_never_leads() -> None:
    eng = Engine()
    full = load("quake_a1", source="wire")
    first_par = full.text.strip().split("\n")[0]
    summary = Doc(id="summary", title=full.title, text=first_par + " …", source="portal", truncated=True, priority=10)
    copy = Doc(id="copy", title=full.title + " | Coast News", text=full.text, source="coast", published=5.0)
    eng.add(summary)
    eng.add(full)
    eng.add(copy)
    sid = eng.story_of("summary")
    assert eng.story_of("quake_a1") == sid and eng.story_of("copy") == sid
    assert eng.lead(sid) != "summary"
    assert eng.scores(sid)["summary"].reason == "truncated summary"


DAY = 86400.0


def test_time_window_closes_a_story_quiet_for_longer() -> None:
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    late = eng.add(load("quake_a2", published=10 * DAY))
    assert late.new_story
    # the same pair within the window is one story
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    assert not eng.add(load("quake_a2", published=2 * DAY)).new_story


def test_a_developing_story_stays_open_from_its_latest_version() -> None:
    """The window counts from a story's latest version, not its first: a story that keeps
    developing keeps taking follow-ups (counted from the first, day 5 would be closed)."""
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    second = eng.add(load("quake_a2", published=2.5 * DAY))
    a2 = load("quake_a2")
    again = eng.add(Doc(id="a2-later", title=a2.title, text=a2.text, published=5 * DAY))
    assert again.story_id == second.story_id == "quake_a1"
    # and an article dated before a story's first version (feeds arrive out of order)
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a2", published=10 * DAY))
    assert eng.add(load("quake_a1", published=8 * DAY)).story_id == "quake_a2"


def test_links_weaken_with_time_beyond_the_grace() -> None:
    """Evidence weighs how far apart in time two reports are: the same rewrite pair joins
    10 days apart under the default grace, and not when every day past one costs a factor e."""
    eng = Engine()
    eng.add(load("quake_a1", published=0.0))
    assert not eng.add(load("quake_a2", published=10 * DAY)).new_story
    eng = Engine(Params(time_grace=1 * DAY, time_scale=1 * DAY))
    eng.add(load("quake_a1", published=0.0))
    assert eng.add(load("quake_a2", published=10 * DAY)).new_story


def test_a_closed_story_offers_no_neighbour() -> None:
    """Nothing forgets a story: the window closes it.  A rewrite within the window has the
    story's article for its nearest neighbour; the same rewrite after the window has none."""
    eng = Engine(Params(window=3 * DAY))
    eng.add(load("quake_a1", published=0.0))
    eng.add(load("quake_b", published=5 * DAY))
    soon, late = load("quake_a2", published=0.5 * DAY), load("quake_a2", published=10 * DAY)
    assert [d for d, _ in eng.nearest(soon, eng.fingerprint(soon))][:1] == ["quake_a1"]
    assert "quake_a1" not in [d for d, _ in eng.nearest(late, eng.fingerprint(late))]
    assert eng.add(late).new_story


def test_restore_rebuilds_from_stored_fingerprints() -> None:
    eng = Engine()
    d1 = load("quake_a1")
    a = eng.add(d1)
    stored = Fingerprint.from_bytes(eng.fingerprint_of("quake_a1").to_bytes())
    fresh = Engine()
    fresh.restore(d1, stored, a.story_id)
    assert fresh.add(load("quake_a2")).story_id == a.story_id


def test_fingerprint_roundtrip_and_minhash_is_datasketch() -> None:
    fp = fingerprint("Kim to meet Putin", "Kim Jong Un will travel to Vladivostok by armoured train.")
    back = Fingerprint.from_bytes(fp.to_bytes())
    assert back.terms == pytest.approx(fp.terms)
    assert (back.signature == fp.signature).all()
    assert back.words == fp.words
    assert fp.minhash().jaccard(back.minhash()) == 1.0
    # near-identical sets estimate high, disjoint sets low
    a, b, c = signature(range(100)), signature(range(5, 105)), signature(range(1000, 1100))
    assert (a == b).mean() > 0.75 and (a == c).mean() < 0.1


def test_names_weigh_more_than_sentence_initial_capitals() -> None:
    w = term_weights("", "Officials met. Reid entered rehab. The clinic said Reid was well.")
    assert w["@reid"] > w["rehab"]
    assert w["official"] == 1.0  # sentence-initial: not a name
    headline = term_weights("Star Enters Rehab Clinic In Malibu", "")
    assert headline["rehab"] == headline["malibu"]  # headline case carries no name signal


def test_the_lede_is_the_first_three_sentences_of_a_longer_text() -> None:
    from digest.dedup.terms import lede

    assert lede("One came. Two went. Three stayed. Four left.") == ("One came. Two went. Three stayed. ", "Four left.")
    # initials, titles and times do not end a sentence; a closing quote does
    head, rest = lede('Dr. Ann Lee met U.S. envoys at 3 p.m. in Oslo. "We agreed." Talks end. Then rain.')
    assert head == 'Dr. Ann Lee met U.S. envoys at 3 p.m. in Oslo. "We agreed." Talks end. '
    assert rest == "Then rain."
    # a number ends a sentence (a single letter is an initial); so does a stop before a
    # capital outside Latin-1, or a digit
    assert lede("The toll rose to 7. Rescuers came. Roads shut. Rain fell.")[1] == "Rain fell."
    assert lede("Talks went on. Łódź waited. 12 left. Then more.")[1] == "Then more."
    assert lede("A met B. Talks went on. Łódź waited. Then more.") == ("", "A met B. Talks went on. Łódź waited. Then more.")
    # a summary of three sentences or fewer is all lede: nothing in it stands out
    assert lede("Short one. Two here. Three.") == ("", "Short one. Two here. Three.")
    assert lede("") == ("", "")


def test_the_lede_weighs_like_the_title() -> None:
    """The opening says which event a report is about; the rest adds detail that two events
    of one kind share."""
    from digest.dedup.params import LEDE_WEIGHT, TITLE_WEIGHT

    text = "Voters chose councillors. Turnout rose. Counting ended late. Rain fell on voters."
    w = term_weights("", text)
    assert LEDE_WEIGHT == TITLE_WEIGHT
    assert w["councillor"] == LEDE_WEIGHT and w["rain"] == 1.0
    assert w["voter"] == LEDE_WEIGHT + 1.0  # once in the lede, once after it
    short = term_weights("", "Voters chose councillors. Turnout rose.")
    assert short["councillor"] == 1.0


def test_idf_prior_makes_rare_words_weigh_more_from_the_first_article() -> None:
    from digest.dedup.terms import NAME_BIT, term_id

    idf = IdfModel()
    assert idf.idf(term_id("vladivostok")) > idf.idf(term_id("people")) > 0
    # a name and the same word in lower case share the prior
    assert idf.idf(term_id("people") | NAME_BIT) == idf.idf(term_id("people"))


def test_choose_lead_prefers_complete_then_priority_then_earliest() -> None:
    idf = IdfModel(prior_docs=0)
    terms = {1: 1.0, 2: 1.0, 3: 1.0}
    v = [
        Version("short", "a", {1: 1.0}, words=40),
        Version("full-late", "b", terms, words=300, published=20.0),
        Version("full-early", "c", terms, words=298, published=10.0),
        Version("cut", "d", terms, words=400, truncated=True),
    ]
    lead, scores = choose_lead(v, idf)
    assert lead == "full-early"
    assert scores["cut"].reason == "truncated summary"
    v[1] = Version("full-late", "b", terms, words=300, published=20.0, priority=5)
    assert choose_lead(v, idf)[0] == "full-late"


def test_duplicate_add_is_idempotent() -> None:
    eng = Engine()
    a = eng.add(load("quake_a1"))
    b = eng.add(load("quake_a1"))
    assert a.story_id == b.story_id and len(eng) == 1


def test_copy_with_residual_junk_never_leads_over_the_clean_original() -> None:
    idf = IdfModel()
    body = term_weights("", (FIX / "quake_a1.txt").read_text(encoding="utf-8"))
    from digest.dedup.terms import term_id

    clean = {term_id(t): w for t, w in body.items()}
    junk = dict(clean)
    for word in "comment form email website notify subscribe trending newsletter".split():
        junk[term_id(word)] = 1.0
    rewrite = {t: w for i, (t, w) in enumerate(clean.items()) if i % 3}
    versions = [
        Version("junky-copy", "b", junk, words=230, published=1.0, priority=5),
        Version("original", "a", clean, words=218, published=2.0),
        Version("rewrite", "c", rewrite, words=190, published=0.5),
    ]
    lead, scores = choose_lead(versions, idf)
    assert lead == "original"
    assert scores["junky-copy"].score <= scores["original"].score * 1.05


# -- the compact engine (issue 7): same answers as the plain definitions ------------------


def _reference_terms(title: str, text: str) -> dict[int, float]:
    """The fingerprint's terms by the plain per-token definition (``term_weights``)."""
    from digest.dedup.terms import NAME_BIT, term_id

    return {
        (term_id(t[1:]) | NAME_BIT) if t[0] == "@" else term_id(t): w
        for t, w in term_weights(title, text).items()
    }


@pytest.mark.parametrize(
    "title,text",
    [
        ("", ""),
        ("Star Enters Rehab Clinic In Malibu", "Officials met.\nReid entered rehab. The clinic said Reid was well."),
        ("Kim to meet Putin", "Kim Jong Un’s train: 1,000.5 km — rock-'n'-roll; Ünïcode Words. New York\n\nNew line"),
        ("x", "a'- 'quoted' ² ½ 3.14 U.S. e-mail it's Obama's\tTabbed\u00a0nbsp"),
        ("Lede", "Mr. Lee spoke. Fires burned.\nCrews came. Winds eased. Rain fell. Fires ended."),
    ],
)
def test_fast_tokenizer_gives_the_plain_definitions_terms_and_words(title: str, text: str) -> None:
    import re

    fp = fingerprint(title, text)
    assert fp.terms == _reference_terms(title, text)
    tokens = re.findall(r"[^\W\d_][\w'’\-]*|\d[\d,.:]*\d|\d|[.!?;:\n]", text)
    assert fp.words == sum(1 for t in tokens if t[0].isalnum())


def test_signature_is_datasketchs_minhash_of_the_salient_terms() -> None:
    from datasketch import MinHash

    from digest.dedup.fingerprint import fast_signature
    from digest.dedup.params import NUM_PERM, SEED

    ids = [3, 17, 2**40 + 5, 2**63 + 9, 123456789]
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=lambda x: x)
    m.update_batch([i & 0xFFFFFFFF for i in ids])
    low = np.array([i & 0xFFFFFFFF for i in ids], dtype=np.uint32)
    assert np.array_equal(fast_signature(low), np.asarray(m.hashvalues, dtype=np.uint32))
    assert np.array_equal(signature(ids), fast_signature(low))


def test_engine_keeps_fingerprints_compactly_and_gives_them_back() -> None:
    eng = Engine()
    docs = [load(n) for n in ("quake_a1", "council_a", "quake_b", "quake_a2")]
    fps = {}
    for d in docs:
        fps[d.id] = eng.fingerprint(d)
        eng.add(d, fps[d.id])
    for d in docs:
        back = eng.fingerprint_of(d.id)
        assert back == fps[d.id]  # terms and weights, words, signature
        assert Fingerprint.from_bytes(back.to_bytes()) == fps[d.id]
    # a restored engine gives the same answers for the same stored blobs
    fresh = Engine()
    for d in docs:
        fresh.restore(d, Fingerprint.from_bytes(fps[d.id].to_bytes()), eng.story_of(d.id))
    assert {d.id: fresh.story_of(d.id) for d in docs} == {d.id: eng.story_of(d.id) for d in docs}
    assert fresh.lead(eng.story_of("quake_a1")) == eng.lead(eng.story_of("quake_a1"))
    assert fresh.similarity("quake_a1", "quake_a2") == pytest.approx(eng.similarity("quake_a1", "quake_a2"))


def test_memory_index_proposes_what_datasketch_proposes() -> None:
    from datasketch import MinHashLSH

    from digest.dedup.index import KeyMultiMap, MemoryIndex

    names = sorted(p.stem for p in FIX.glob("*.txt"))
    eng = Engine()
    fps = [(n, eng.fingerprint(load(n))) for n in names]
    old = KeyMultiMap.BUFFER
    KeyMultiMap.BUFFER = 7  # exercise the sorted levels and their merges
    try:
        ours, ref = MemoryIndex(0.08, cap=None), MinHashLSH(threshold=0.08, num_perm=128)
        for n, fp in fps:
            assert sorted(ours.query(fp)) == sorted(ref.query(fp.minhash()))
            ours.insert(n, fp)
            ref.insert(n, fp.minhash())
        for n, _ in fps[::2]:
            ours.remove(n)
            ref.remove(n)
        for _n, fp in fps:
            assert sorted(ours.query(fp)) == sorted(ref.query(fp.minhash()))
    finally:
        KeyMultiMap.BUFFER = old


def test_a_crowded_band_proposes_only_its_most_recent_articles() -> None:
    from digest.dedup.index import KeyMultiMap

    m = KeyMultiMap()
    m.BUFFER = 5
    for num in range(40):
        m.add([7, 1000 + num], num)
    got = m.query(np.array([7], dtype=np.uint64), cap=10)
    assert sorted(got.tolist()) == list(range(30, 40))
    m.discard(35)
    assert 35 not in m.query(np.array([7], dtype=np.uint64)).tolist()
    assert m.query(np.array([1003], dtype=np.uint64)).tolist() == [3]


def test_replayed_merge_joins_two_stories_and_keeps_the_older_id() -> None:
    eng = Engine()
    eng.add(load("quake_a1"))
    eng.add(load("council_a"))
    eng.replay_merge("quake_a1", "council_a")
    assert eng.stories() == ["quake_a1"]
    assert sorted(eng.members("quake_a1")) == ["council_a", "quake_a1"]
    assert eng.story_of("council_a") == "quake_a1" and eng.lead("quake_a1") in ("quake_a1", "council_a")
    # the merged story still takes in a rewrite of its event
    assert eng.add(load("quake_a2")).story_id == "quake_a1"


def test_an_engine_rebuilt_from_the_window_holds_only_the_window() -> None:
    """The store rebuilds the engine from the articles of the window (``App.engine``): an
    article left out is in no story, no idf and no proposal, as if never read."""
    eng = Engine(Params(window=3 * DAY))
    old, recent = load("quake_a1", published=0.0), load("quake_b", published=5 * DAY)
    eng.add(old)
    eng.add(recent)
    rebuilt = Engine(Params(window=3 * DAY))
    rebuilt.restore(recent, eng.fingerprint_of("quake_b"), eng.story_of("quake_b"))
    only = Engine(Params(window=3 * DAY))
    only.add(recent)
    assert "quake_a1" not in rebuilt and rebuilt.stories() == ["quake_b"]
    assert rebuilt.idf.n == only.idf.n == 1
    idx = eng.fingerprint_of("quake_a1").vocab_idx()
    assert np.array_equal(rebuilt.idf.idf_idx(idx), only.idf.idf_idx(idx))
    # within quake_a1's window its rewrite would have joined it: now nothing proposes it
    late = load("quake_a2", published=0.5 * DAY)
    assert rebuilt.nearest(late, rebuilt.fingerprint(late)) == []
    assert rebuilt.add(late).new_story


@pytest.mark.parametrize("odd", [256.0, 5001.0, 0.3, 2.5])
def test_weights_beyond_a_byte_are_kept_exactly(odd: float) -> None:
    eng = Engine()
    d = load("quake_a1")
    fp = eng.fingerprint(d)
    heavy = Fingerprint({**fp.terms, 12345: odd, 67890: 255.0}, fp.signature, fp.words)
    eng.restore(d, heavy, "quake_a1")
    back = eng.fingerprint_of("quake_a1")
    assert back.terms == heavy.terms
    assert eng.scores("quake_a1")["quake_a1"].reason == "only version"


def test_idf_kept_by_subtraction_equals_the_formula_after_adds() -> None:
    from digest.dedup.fingerprint import IdfModel
    from digest.dedup.terms import VOCAB, analyse

    m = IdfModel()
    docs = [analyse(load(n).title, load(n).text)[0] for n in ("quake_a1", "quake_b", "council_a")]
    for idx in docs:
        m.add_idx(np.unique(idx))
    probe = np.unique(np.concatenate([*docs, analyse("Entirely unseen Zyxwv words", "")[0]]))
    want = np.log((m.n + m.prior_docs + 1) / (m._df[probe] + m.prior_docs * VOCAB.prior[probe] + 0.5))
    assert np.allclose(m.idf_idx(probe), want, rtol=0, atol=1e-12)
    assert m.idf(int(VOCAB.ids[probe[0]])) == pytest.approx(float(want[0]))


@pytest.mark.parametrize(("table", "chunks"), [(60, 10**6), (10**6, 40)])
def test_token_caches_start_over_when_full_and_give_the_same_terms(
    monkeypatch: pytest.MonkeyPatch, table: int, chunks: int
) -> None:
    """The tokeniser's and the copy sketch's caches are bounded (a worker reads for months);
    starting over changes nothing but the time."""
    from digest.dedup import copies, terms

    docs = [load(n) for n in ("quake_a1", "council_a", "quake_b", "quake_a2", "council_b")]
    want = [terms.analyse(d.title, d.text) for d in docs]
    want_sk = [copies.sketch(d.text, d.title) for d in docs]
    distinct = len({c for d in docs for c in (d.title + " " + d.text).split()})
    terms._TABLE.clear()
    terms._CHUNKS.clear()
    copies._HASHES.clear()
    monkeypatch.setattr(terms, "TABLE_LIMIT", table)
    monkeypatch.setattr(terms, "CHUNK_LIMIT", chunks)
    monkeypatch.setattr(copies._WordHashes, "LIMIT", 30)
    for _ in range(3):
        for d, (idx, w, words), sk in zip(docs, want, want_sk, strict=True):
            got = terms.analyse(d.title, d.text)
            assert np.array_equal(got[0], idx) and np.array_equal(got[1], w) and got[2] == words
            got_sk = copies.sketch(d.text, d.title)
            assert got_sk.keys == sk.keys and np.array_equal(got_sk.shingles, sk.shingles)
    # each cache holds at most its limit plus one text's worth, far less than everything seen
    assert len(terms._CHUNKS) < distinct
    assert len(terms._TABLE) < distinct or table > distinct
    assert len(copies._HASHES) < distinct


def test_copy_lookup_checks_only_recent_articles_in_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many articles open with the same sentence (a site's template): the copy lookup checks at
    most the most recent ``BUCKET_CAP`` of each opening key, and none outside the time window,
    so its cost does not grow with the stream; a copy of a recent article is still found."""
    import digest.dedup.engine as engine_mod

    monkeypatch.setattr(engine_mod, "BUCKET_CAP", 5)
    opening = "The city council met on Tuesday evening to hear the latest quarterly report from staff."
    towns = ["Arlen", "Brisco", "Calder", "Dunmore", "Elsworth", "Fairlie", "Glenroy", "Hartwell",
             "Ivybridge", "Jarrow", "Kelso", "Lanark", "Moffat", "Nairn", "Oban", "Peebles",
             "Quorn", "Rothes", "Selkirk", "Tain"]

    def doc(i: int, published: float) -> Doc:
        town = towns[i % len(towns)]
        body = (f"{opening} {town} officials said the {town} budget for roads and parks was on track. "
                f"Residents of {town} asked about parking near the {town} market and the library hours. "
                f"The {town} mayor promised an answer at the next meeting in {town} town hall.")
        return Doc(id=f"a{i}", title=f"{town} council hears report", text=body, published=published)

    eng = Engine()
    for i in range(20):
        eng.add(doc(i, published=1000.0 + i))
    checked: list[int] = []
    real = eng._sketch_of

    def counting(num: int) -> object:
        checked.append(num)
        return real(num)

    monkeypatch.setattr(eng, "_sketch_of", counting)
    copy = doc(19, published=1100.0)
    assert eng.add(Doc(id="copy", title=copy.title, text=copy.text, published=1100.0)).story_id == eng.story_of("a19")
    keys = len(engine_mod.sketch(copy.text, copy.title).keys)
    assert 0 < len(checked) <= 5 * keys < 20
    checked.clear()
    late = doc(3, published=1100.0 + 31 * 86400.0)  # a month later: every story is closed
    eng.add(Doc(id="late", title=late.title, text=late.text, published=late.published))
    assert checked == []


def test_a_word_gets_a_name_term_only_once_written_as_a_name() -> None:
    """Most words are never names: their name terms are interned when first needed, so the
    vocabulary (and every array sized by it) does not double."""
    from digest.dedup.terms import NAME_BIT, VOCAB, analyse, stem, term_id

    plain = term_id(stem("zorblaxian"))
    analyse("", "the zorblaxian council met again. it met twice.")
    assert plain in VOCAB.index and (plain | NAME_BIT) not in VOCAB.index
    idx, _w, _n = analyse("", "Yesterday the Zorblaxian council met.")
    assert (plain | NAME_BIT) in VOCAB.index
    assert VOCAB.index[plain | NAME_BIT] in idx.tolist() and VOCAB.index[plain] not in idx.tolist()


def test_a_story_larger_than_the_region_is_joined_through_a_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """A story carried by more outlets than ``Params.region`` is not regrouped whole for every
    new version (its size squared, each time): the new article is clustered with a sample of
    it, joins it when it groups with the sample, and another event still stays apart."""
    import digest.dedup.regrouping as regroup_mod

    sizes: list[int] = []
    real = regroup_mod.average_linkage

    def counting(sim: np.ndarray, threshold: float) -> np.ndarray:
        sizes.append(sim.shape[0])
        return real(sim, threshold)

    monkeypatch.setattr(regroup_mod, "average_linkage", counting)
    eng = Engine(Params(region=20))
    base = load("quake_a1")
    words = base.text.split()
    for i in range(45):  # versions, not copies (a copy of the same text would be silent)
        text = " ".join(f"edit{i}x{j}" if (j + i) % 6 == 0 else w for j, w in enumerate(words))
        eng.add(Doc(id=f"copy{i}", title=base.title, text=text, published=1000.0 + i))
    assert not eng._col.silent[: len(eng)].any()
    assert len({eng.story_of(f"copy{i}") for i in range(45)}) == 1
    assert max(sizes) <= 20
    other = load("quake_b", published=1100.0)
    eng.add(other)
    assert eng.story_of("quake_b") != eng.story_of("copy0")
    assert max(sizes) <= 20


def test_copies_of_one_text_do_not_change_how_rewrites_group() -> None:
    """Thirty outlets carrying one wire text must not keep a rewrite of the same event out
    of its story: with every copy in the neighbour lists, the lists hold only copies, and a
    rewrite shares no neighbour with them.  A copy of the same text is silent instead: it
    joins its story, is nobody's neighbour, and the stories around it group as with one."""
    def run(copies: int) -> Engine:
        eng = Engine()
        eng.add(load("quake_a1"))
        eng.add(load("council_a"))
        base = load("quake_a1")
        for i in range(copies):
            eng.add(Doc(id=f"wire{i}", title=base.title, text=base.text, source=f"site{i}"))
        for name in ("quake_b", "quake_a2", "council_b"):
            eng.add(load(name))
        return eng

    alone, carried = run(0), run(30)
    for eng in (alone, carried):
        assert eng.story_of("quake_a2") == eng.story_of("quake_a1")
        assert eng.story_of("quake_b") != eng.story_of("quake_a1")
        assert len({eng.story_of(d) for d in ("quake_a1", "council_a", "council_b", "quake_b")}) == 4
    assert {carried.story_of(f"wire{i}") for i in range(30)} == {carried.story_of("quake_a1")}
    # the copies are nobody's neighbour, and their words count once in the idf
    near = [doc_id for doc_id, _ in carried.nearest(load("quake_a2"), carried.fingerprint(load("quake_a2")))]
    assert "quake_a1" in near and not any(d.startswith("wire") for d in near)
    assert carried.idf.n == alone.idf.n
    assert carried.pair_link("quake_a2", "quake_a1") == alone.pair_link("quake_a2", "quake_a1")


def test_a_copy_that_adds_something_is_clustered_itself() -> None:
    """A copy of the same text, or a truncated feed summary of a known text, adds nothing and
    is silent; a shorter version that is not cut (other outlets' edit) keeps its own place."""
    eng = Engine()
    base = load("quake_a1")
    eng.add(base)
    opening = ". ".join(base.text.split(". ")[:2]) + "."
    eng.add(Doc(id="summary", title=base.title, text=opening, truncated=True, source="feed"))
    eng.add(Doc(id="short", title=base.title, text=opening, source="edit"))
    eng.add(Doc(id="same", title=base.title, text=base.text, source="other"))
    silent = {d: eng.copy_state(d)[1] for d in ("quake_a1", "summary", "short", "same")}
    assert silent == {"quake_a1": False, "summary": True, "short": False, "same": True}
    assert len(set(map(eng.story_of, silent))) == 1


SITE_LINES = [
    "Related: Council approves new budget for parks", "Most read: Harbour festival draws record crowds",
    "Sign up for our morning newsletter", "Follow us on Facebook and X", "Share this story",
    "Related: Mayor opens new library wing downtown", "Most read: Ferry timetable changes next month",
    "Comments are closed", "Advertisement", "Related: School board elects new chair",
    "Trending: Bakery wins regional bread award", "Related: Night bus routes to be extended",
]


def test_a_copy_padded_with_site_lines_adds_nothing_but_one_with_another_report_does() -> None:
    """The same text with site lines the cleaner left around it (headlines, prompts) is silent:
    it would take neighbour slots for nothing.  The same text followed by another report adds
    that report and keeps its own place.  Both stay in the story of the text they copy."""
    base, other = load("quake_a1"), load("council_a")
    eng = Engine()
    eng.add(base)
    padded = base.text + "\n" + "\n".join(SITE_LINES)
    eng.add(Doc(id="padded", title=base.title, text=padded, source="s1", junk=400))  # the cleaner took some
    eng.add(Doc(id="more", title=base.title, text=base.text + "\n" + other.text, source="s2"))
    assert eng.similarity("quake_a1", "padded") < 0.95  # not the same text word for word
    assert {d: eng.copy_state(d) for d in ("quake_a1", "padded", "more")} == {
        "quake_a1": ("quake_a1", False), "padded": ("quake_a1", True), "more": ("quake_a1", False),
    }
    assert len({eng.story_of(d) for d in ("quake_a1", "padded", "more")}) == 1


def test_a_full_text_after_its_summary_and_a_clean_update_keep_their_place() -> None:
    """Padding is told from content by where the text comes from: a full text that arrives
    after its feed summary adds the rest of the story, and an update from a page the cleaner
    found no junk on (a new paragraph) adds that paragraph; neither is silent, even where
    its cosine to what it copies reaches ``PADDED_TEXT``."""
    from digest.dedup.params import PADDED_TEXT

    base = load("quake_a1")
    sents = base.text.split(". ")
    eng = Engine()
    eng.add(Doc("summary", base.title, ". ".join(sents[:3]) + ".", source="feed", truncated=True))
    eng.add(Doc("full", base.title, base.text, source="site", junk=250))
    update = base.text + "\n" + (
        "Aftershocks of magnitude 4 were felt through the night and schools stay shut on Friday. "
        "Engineers inspecting the harbour wall found cracks along forty metres of the breakwater. "
        "The regional council opened two evacuation centres in community halls. "
        "Farmers reported broken water troughs and fences across the district. "
        "Insurers said claims could run into the millions.")
    eng.add(Doc("update", base.title, update, source="wire"))
    assert eng.similarity("summary", "full") >= PADDED_TEXT
    assert eng.similarity("full", "update") >= PADDED_TEXT
    assert eng.copy_state("full") == ("summary", False)
    assert eng.copy_state("update") == ("summary", False)
    assert len({eng.story_of(d) for d in ("summary", "full", "update")}) == 1


def test_a_restored_engine_has_the_same_silent_copies_as_the_live_one() -> None:
    """The store gives articles back after a restart; a copy is silent after the restore
    exactly when it was live, also when its text sits in a story outside the time window."""
    day = 86400.0
    base = load("quake_a1")
    docs = [
        Doc("A", base.title, base.text, source="s0", published=0.0),
        Doc("B", base.title, base.text, source="s1", published=4 * day),  # A's story is closed
        Doc("C", base.title, base.text, source="s2", published=4.1 * day),
        load("quake_a2", published=4.2 * day),
    ]
    live = Engine(Params(window=3 * day))
    for d in docs:
        live.add(d)
    fresh = Engine(Params(window=3 * day))
    for d in docs:
        fresh.restore(d, Fingerprint.from_bytes(live.fingerprint_of(d.id).to_bytes()), live.story_of(d.id))
    for eng in (live, fresh):
        assert {d.id: eng.copy_state(d.id) for d in docs} == {
            "A": (None, False), "B": ("B", False), "C": ("B", True), "quake_a2": (None, False),
        }
        assert eng.idf.n == 3 and eng.story_of("C") == eng.story_of("B") != eng.story_of("A")


def test_silent_copies_do_not_make_a_story_large() -> None:
    """A story is settled (joined through a sample, never split) once it has ``Params.region``
    clustered articles; its silent copies are not clustered, so a dozen of them change nothing
    around it."""
    a1 = load("quake_a1")
    half = a1.text.split(". ")
    h1 = Doc("h1", a1.title, ". ".join(half[: len(half) // 2]) + ".")
    rest = [Doc("h2", "Aftershocks " + a1.title, ". ".join(half[len(half) // 2 :])),
            load("quake_a2"), load("quake_b"), templated(a1, "tmpl"), load("council_a")]

    def partition(copies: int) -> set[frozenset[str]]:
        eng = Engine(Params(region=6))
        eng.add(h1)
        for i in range(copies):
            eng.add(Doc(f"w{i}", h1.title, h1.text, source=f"s{i}"))
        for d in rest:
            eng.add(d)
        ids = [h1.id] + [d.id for d in rest]
        return {frozenset(i for i in ids if eng.story_of(i) == s) for s in {eng.story_of(i) for i in ids}}

    assert partition(12) == partition(0)


def test_a_second_large_story_near_an_article_is_tried_too() -> None:
    """Stories of ``Params.region`` clustered articles or more are joined through a sample.
    When the closest story near a new article is large and does not take it, the next one is
    tried the same way (an aftershock's report may be closest to the main quake's story)."""
    council = load("council_a")
    sents = [s for s in council.text.replace("\n", " ").split(". ") if s]

    class QuakeClosest(Engine):  # once ``quake`` is set, its story is the closest to a new article
        quake = ""

        def _neighbour(self, num: int, vidx: np.ndarray, val: np.ndarray, sts: list, copies: list[int]) -> list:
            near = super()._neighbour(num, vidx, val, sts, copies)
            first = self._stories.get(self.story_of(self.quake)) if self.quake else None
            return [first, *(st for st in near if st is not first)] if near and first else near

    eng = QuakeClosest(Params(region=2))
    for d in ("quake_a1", "quake_a2"):
        eng.add(load(d))
    eng.add(Doc("c1", council.title, ". ".join(sents[:4]) + "."))
    eng.add(Doc("c2", "Library rebuild approved: " + council.title, ". ".join(sents[2:]) + "."))
    assert eng.story_of("quake_a2") == eng.story_of("quake_a1") != eng.story_of("c2") == eng.story_of("c1")
    eng.quake = "quake_a1"
    eng.add(Doc("c3", council.title.upper(), ". ".join(sents[1:]) + "."))
    assert eng.story_of("c3") == eng.story_of("c1")
    assert len(eng.members(eng.story_of("quake_a1"))) == 2


def test_a_copy_group_outlives_its_label() -> None:
    """A copy group is labelled by one of its articles; an engine rebuilt without that one (it
    left the window) while other copies live on in an open story labels the group by one of
    them."""
    base = load("quake_a1")
    sents = base.text.split(". ")
    eng = Engine()
    eng.add(Doc("A", base.title, base.text, published=0.0))
    summaries = [
        Doc(f"S{k}", base.title, ". ".join(sents[:k]) + ".", truncated=True, published=10.0 * k) for k in (2, 3)
    ]
    for d in summaries:
        eng.add(d)
    assert {eng.copy_state(d)[0] for d in ("A", "S2", "S3")} == {"A"}
    rebuilt = Engine()  # the summaries, which another worker moved to a story of their own
    for d in summaries:
        rebuilt.restore(d, eng.fingerprint_of(d.id), "elsewhere")
    assert "A" not in rebuilt
    label = rebuilt.copy_state("S2")[0]
    assert label in ("S2", "S3") and rebuilt.copy_state("S3")[0] == label
    assert sorted(rebuilt._facts(rebuilt._stories["elsewhere"]).copies) == [label, label]
