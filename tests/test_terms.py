"""Terms, fingerprints and idf: the tokenizer and its plain definition, names, the lede, the
MinHash signature, the idf prior and its bounded caches (pure)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from digest.dedup.fingerprint import Fingerprint, IdfModel, fingerprint, signature
from digest.dedup.terms import term_weights
from tests.support.stories import load


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


def test_the_vocabulary_starts_afresh_only_when_no_engine_holds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A daemon lives for months and news brings new names daily: the process-wide vocabulary
    starts afresh when an engine is made and no other engine (which keeps its indices) lives.
    An engine alive keeps it as it is; a fingerprint made before a renewal is read again; the
    stories do not change."""
    import dataclasses
    import gc

    from digest.dedup import terms
    from digest.dedup.engine import Engine

    names = ("quake_a1", "quake_a2", "quake_b", "council_a", "council_b")
    docs = [load(n) for n in names]
    monkeypatch.setattr(terms, "VOCAB_RENEW", 0)  # renew at every chance
    first = Engine()
    before = {d.id: first.add(d).story_id for d in docs}
    made_before = fingerprint(docs[0].title, docs[0].text)
    gen, size = terms.VOCAB.generation, len(terms.VOCAB)
    assert size > 0

    second = Engine()  # the first lives: no renewal, and it still works
    assert terms.VOCAB.generation == gen and len(terms.VOCAB) >= size
    late = dataclasses.replace(load("quake_a2"), id="late")
    assert first.add(late).story_id == before["quake_a2"]
    del first, second
    gc.collect()

    third = Engine()  # nothing else alive: a fresh vocabulary
    assert terms.VOCAB.generation == gen + 1 and len(terms.VOCAB) == 0
    assert len(terms._TABLE) == 0 and len(terms._CHUNKS) == 0
    after = {d.id: third.add(d).story_id for d in docs}
    assert after == before
    idx = made_before.vocab_idx()  # interned again in the new generation
    assert np.array_equal(terms.VOCAB.ids[idx], made_before.ids)
    assert len(terms.VOCAB) < 2 * size
