"""Every tuned number of the dedup core, in one place, by stage.  Pure: imports nothing.

Each has one comment line: what it means; the figure that set it (the benchmark and what
moved, from ``docs/design.md`` or the commit that tuned it; "none recorded" where the number
was set by hand); and the test that fails when it moves far enough ("pinned by"), where one
does.  The benchmarks: ``stories`` (ECB+ through ``digest dedupe``, worst of shuffled orders),
``syndicate`` (an ECB+ split with generated syndicated copies), ``speed`` (the generated
stream), ``timeline`` (dated streams through ``digest replay``).  Tests named without a module
are in ``tests/test_engine.py``.

``Params`` holds what one engine is built with (the configuration sets its ``window``); the
module constants are the same for every engine.  The modules import the constants they read
(``from .params import BUCKET_CAP``), so a test that changes one patches the module that reads
it (``monkeypatch.setattr(engine, "BUCKET_CAP", 5)``).
"""

from __future__ import annotations

from dataclasses import dataclass

# -- terms and fingerprints (digest.dedup.terms, .fingerprint, .background) -------------------

#: Weight of a name (capitalised, not starting a sentence): two events of one kind differ in names; none recorded; pinned by none.
NAME_WEIGHT = 5.0
#: Weight of a title word; none recorded; pinned by test_copies::test_the_cleaner_copy_leads_and_other_events_stay_apart.
TITLE_WEIGHT = 2.0
#: Weight of a lede word (ECB+ dev, 20 orders: worst P 0.951 -> 0.970, F1 0.912 -> 0.922; 1.5 or 3 no better); pinned by test_the_lede_weighs_like_the_title.
LEDE_WEIGHT = TITLE_WEIGHT
#: Sentences in the lede, when the text has more (2 or 4 no better on ECB+ dev); pinned by test_the_lede_is_the_first_three_sentences_of_a_longer_text.
LEDE_SENTENCES = 3
#: Share of capitalised words that makes a line headline case (no name signal there); none recorded; pinned by test_names_weigh_more_than_sentence_initial_capitals.
HEADLINE_CAPS = 0.6
#: ... in a line of at least this many words; none recorded; pinned by none.
HEADLINE_WORDS = 3
#: Salient terms (top tf-idf) whose MinHash proposes candidates (design: "LSH proposes, similarity decides"); none recorded; pinned by none.
SALIENT_TERMS = 24
#: MinHash permutations (datasketch's default; stored signatures have this many values); pinned by test_signature_is_datasketchs_minhash_of_the_salient_terms.
NUM_PERM = 128
#: MinHash seed (stored signatures depend on it); pinned by test_signature_is_datasketchs_minhash_of_the_salient_terms.
SEED = 1
#: Weight of the general-English idf prior, in pseudo-documents (fixes a small stream's idf: five outlets, one story); none recorded; pinned by none.
PRIOR_DOCS = 1000.0
#: Words of a typical article, for the prior's P(article contains word) = 1 - exp(-L * freq); none recorded; pinned by none.
ARTICLE_WORDS = 300.0

# -- copies (digest.dedup.copies, the copy rules in digest.dedup.engine) ----------------------

#: Words of each sentence start that make an opening key (design: "Copies are recognised exactly"); none recorded; pinned by none.
KEY_WORDS = 8
#: Sentences of the opening that get a key; none recorded; pinned by none.
KEY_SENTENCES = 3
#: Words of title + opening whose shingles are kept; none recorded; pinned by none.
OPENING_WORDS = 120
#: Words in a copy shingle; none recorded; pinned by none.
SHINGLE = 4
#: Least share of the shorter opening's shingles in the other's (syndicated dev: recall 0.90 -> 1.00 at precision 1.00); pinned by none.
CONTAINED = 0.6
#: Fewest shingles an opening needs to be compared at all; none recorded; pinned by test_copies::test_a_headline_is_never_evidence.
MIN_SHINGLES = 10
#: Least share of the shorter version's names a copy carries (generated: stories mixing worlds 196 -> 22 in 10k); pinned by none.
COPY_NAMES = 0.5
#: ... judged when the shorter version names at least this many things (a summary's few names may be the site's own); pinned by none.
COPY_NAMES_MIN = 4
#: Cosine to a copy found at which a copy is the same text and silent (20 copies per ECB+ dev event: rewrites in its story 41% -> 83%); pinned by none.
SAME_TEXT = 0.95
#: ... when at most this many times as long as the longest copy (a clean update reached cosine 0.953 and went silent); pinned by none.
SAME_LENGTH = 1.1
#: Cosine at which a junk-padded copy, no shorter than its full copies, is silent (syndicated dev, 5 orders: events F1 0.857 -> 0.867); pinned by test_a_copy_padded_with_site_lines_adds_nothing_but_one_with_another_report_does.
PADDED_TEXT = 0.85

# -- proposal (digest.dedup.index, digest.dedup.engine) ----------------------------------------

#: Most recent articles of one LSH band (or one opening key) proposed per query (copy lookups per article at 60k generated: 23 -> 5); pinned by test_copy_lookup_checks_only_recent_articles_in_the_window.
BUCKET_CAP = 128
#: Candidate stories compared per article, most LSH votes first (64 gave the same stories on ECB+ dev and syndicated, a third more cost on generated); pinned by none.
MAX_CANDIDATES = 16

# -- regrouping (digest.dedup.regrouping) --------------------------------------------------------

#: Large stories (``Params.region`` or more) a new article tries by sample, closest first (an aftershock's report nearest the main quake); pinned by test_a_second_large_story_near_an_article_is_tried_too.
LARGE_TRIED = 2

# -- lead choice (digest.dedup.lead) -------------------------------------------------------------

#: Versions within this share of the best score are equally complete (design: ties within 5%); none recorded; pinned by none.
TIE = 0.05
#: Unshared words by which an equally complete version may exceed the cleanest (more where the cleaner cut); none recorded; pinned by none.
CLEAN_SLACK = 2.0
#: A copy of a tied version ties too with at least this share of its words; none recorded; pinned by none.
COPY_LENGTH = 0.6
#: Versions with at least this share of the longest tied one's words set the cleanness bar (design: "within 85%"); pinned by none.
PEER_LENGTH = 0.85
#: Weight of a word no other version has (syndicated: lead is the cleanest 0.48 -> 0.81); pinned by none.
UNSHARED = 0.25
#: Share of a version's score it gets with no coverage: score = content x (base + (1 - base) x coverage); none recorded; pinned by none.
COVERAGE_BASE = 0.5


@dataclass(frozen=True, slots=True)
class Params:
    """What one engine is built with; the defaults are the tuned values."""

    # -- proposal
    #: LSH threshold on salient-term Jaccard (19 bands of one value; candidate proposal only); none recorded; pinned by none.
    lsh_threshold: float = 0.08

    # -- neighbours (digest.dedup.neighbours)
    #: Nearest neighbours each article keeps (ECB+ dev, worst of 5, with the regrouping: F1 0.840 -> 0.930); pinned by none.
    neighbours: int = 8
    #: Cosine an article needs to be another's neighbour; none recorded; pinned by none.
    neighbour_floor: float = 0.1
    #: A neighbour counts in the neighbour set when at least this share of the nearest one's cosine; none recorded; pinned by none.
    neighbour_ratio: float = 0.5

    # -- regrouping (digest.dedup.regrouping)
    #: Average shared-neighbour link at which a regrouped neighbourhood stays one story (ECB+ dev, worst of 5: F1 0.840 -> 0.930, P 0.892 -> 0.964); pinned by none.
    shared: float = 0.4
    #: Neighbours at twice the floor that make an article crowded (its links uncapped; ECB+ test worst of 5: P 0.939, F1 0.911); pinned by none.
    crowded: int = 3
    #: A sparse pair counts fully at this share of the closer one's nearest cosine (0.5 -> 0.65 with the lede: two quakes' cap 0.48 -> 0.37); pinned by none.
    relative: float = 0.65
    #: Non-name-words cosine at which a sparse pair counts fully (two decisions of one council share names, not words); none recorded; pinned by none.
    words_scale: float = 0.3
    #: Names cosine at which a templated pair counts fully, below it the square of its share (generated: stories mixing worlds 59 -> 22); pinned by none.
    names_scale: float = 0.5
    #: Squared mass in names both articles need for the template rule (0: no such cap); none recorded; pinned by none.
    names_min: float = 0.1
    #: Non-name-words cosine from which a pair is held to the template rule; none recorded; pinned by none.
    template_words: float = 0.5
    #: Articles regrouped at most around one new article; a story this large is joined by sample (3,000-copy story: 200 ms -> 14 ms a version); pinned by none.
    region: int = 400

    # -- time model
    #: Seconds after a story's latest version (or before its first) it stays open (dated ECB+ dev F1 0.845 at 3 days, 0.968 at 30; GVC val 0.914 -> 0.982); pinned by none.
    window: float = 30 * 86400.0
    #: Seconds apart within which two articles' link counts fully (a 3-day grace with a 7-day scale: dated ECB+ dev F1 0.968 -> 0.887); pinned by none.
    time_grace: float = 14 * 86400.0
    #: Beyond the grace a link decays by e every this many seconds (GVC val precision 0.981 -> 1.000); pinned by none.
    time_scale: float = 30 * 86400.0
