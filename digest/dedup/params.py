"""Every tuned number of the dedup core, in one place, by stage.  Pure: imports nothing.

Each has one comment line: what it means; the figure that set it (the benchmark and what
moved, from ``docs/evaluation.md`` or the commit that tuned it; "set by hand" where none was
recorded); and the tests that fail when it moves (a perturbation run: each value moved both
ways, the dedup tests run), or "no test" when none did.  The benchmarks: ``stories`` (ECB+
through ``digest dedupe``, worst of shuffled orders), ``syndicate`` (an ECB+ split with
generated syndicated copies), ``speed`` (the generated stream), ``timeline`` (dated streams
through ``digest replay``).  Tests named without a module are in ``tests/test_engine.py``.

``Params`` holds what one engine is built with (the configuration sets its ``window``); the
module constants are the same for every engine.  The modules import the constants they read
(``from .params import BUCKET_CAP``), so a test that changes one patches the module that reads
it (``monkeypatch.setattr(engine, "BUCKET_CAP", 5)``).
"""

from __future__ import annotations

from dataclasses import dataclass

# -- terms and fingerprints (digest.dedup.terms, .fingerprint, .background) -------------------

#: Format of stored fingerprints: a new one whenever a number here or the tokeniser changes what a fingerprint holds (others are made again at the rebuild); read back: tests/test_fingerprint_format.py.
FINGERPRINT_VERSION = 2  # 2: one stop-word list with the cleaner's ("yourselves"), an ellipsis ends a lede sentence
#: Terms the process-wide vocabulary holds before it starts afresh at an engine's making, when no other engine lives (long_run, 7-day window, fresh names: VOCAB 43,741 -> 138,818 terms from day 15 to 60 without it); pinned by test_terms::test_the_vocabulary_starts_afresh_only_when_no_engine_holds_it.
VOCAB_RENEW = 1 << 16
#: Weight of a name (capitalised, not starting a sentence; two events of one kind differ in names); set by hand; no test.
NAME_WEIGHT = 5.0
#: Weight of a title word; set by hand; pinned by test_copies::test_the_cleaner_copy_leads_and_other_events_stay_apart.
TITLE_WEIGHT = 2.0
#: Weight of a lede word (ECB+ dev, 20 orders: worst P 0.951 -> 0.970, F1 0.912 -> 0.922; 1.5 or 3 no better); pinned by test_terms::test_the_lede_weighs_like_the_title.
LEDE_WEIGHT = TITLE_WEIGHT
#: Sentences in the lede, when the text has more (2 or 4 no better on ECB+ dev); pinned by test_terms::test_the_lede_is_the_first_three_sentences_of_a_longer_text.
LEDE_SENTENCES = 3
#: Share of a line's words capitalised above which it is headline case (no names there); set by hand; no test.
HEADLINE_CAPS = 0.6
#: Fewest words of a line judged for headline case; set by hand; no test.
HEADLINE_WORDS = 3
#: Salient terms (top tf-idf at arrival) whose MinHash proposes candidates (design: LSH over ~24 salient terms); set by hand; no test.
SALIENT_TERMS = 24
#: MinHash permutations (datasketch's default; stored signatures hold this many, so a change needs a new FINGERPRINT_VERSION); no test.
NUM_PERM = 128
#: MinHash seed (stored signatures depend on it, as on NUM_PERM); no test.
SEED = 1
#: Weight of the general-English idf prior, in pseudo-documents (five outlets, one story: its names stay rare); set by hand; pinned by test_copies::test_a_copy_padded_with_site_lines_adds_nothing_but_one_with_another_report_does.
PRIOR_DOCS = 1000.0
#: Words of a typical article, for the prior's P(article has word) = 1 - exp(-L * freq); set by hand; pinned by test_copies::test_a_copy_padded_with_site_lines_adds_nothing_but_one_with_another_report_does.
ARTICLE_WORDS = 300.0
#: Languages written in a script other than Latin whose most frequent words join the prior (wordfreq's small lists): a language's function words (Hindi के, में, की; Russian и, в, на) are the commonest words of every article in it, yet the English list calls them rare, and two Hindi stories of one town merged on them; set by hand (the wordfreq languages of such scripts written with spaces); pinned by test_other_scripts_prior (Hindi, Arabic, Hebrew: 0 words merged or parted them; 50: Hebrew's rewrite still apart; 200 and 500 all right).
OTHER_LANGUAGES = ("ar", "bg", "bn", "el", "fa", "he", "hi", "mk", "ru", "ta", "uk", "ur")
#: How many of each such language's most frequent words join the prior (its function words and its commonest; the rest stay "rare" as English's unknown words do); set by hand (500: 0.14 s more to load the prior, 2000: 0.39 s); pinned by the same test.
OTHER_WORDS = 500

# -- copies (digest.dedup.copies, the copy rules in digest.dedup.engine) ----------------------

#: Words of each sentence start that make an opening key (copy path: syndicated dev recall 0.90 -> 1.00); pinned by test_copies::test_copy_lookup_checks_only_recent_articles_in_the_window.
KEY_WORDS = 8
#: Sentences of the opening that get a key (a copy with a junk line on top still shares the next); pinned by test_copies::test_copy_lookup_checks_only_recent_articles_in_the_window.
KEY_SENTENCES = 3
#: Words of title + opening whose shingles are kept (at most 117 shingles: 16-bit hashes suffice); set by hand; no test.
OPENING_WORDS = 120
#: Words in a copy shingle; set by hand; no test.
SHINGLE = 4
#: Least share of the shorter opening's shingles found in the other's (copy path: syndicated dev recall 0.90 -> 1.00 at precision 1.00); pinned by test_copies::test_a_summary_and_a_wrapped_copy_are_copies.
CONTAINED = 0.6
#: Fewest shingles an opening needs to be compared at all (a headline is never evidence); set by hand; no test.
MIN_SHINGLES = 10
#: Least share of the shorter version's names a copy carries (generated: stories mixing worlds 196 -> 22 in 10k, with the neighbour gate); no test.
COPY_NAMES = 0.5
#: Fewest names the shorter version has for COPY_NAMES to be judged (a summary's few names may be the site's own); set by hand; no test.
COPY_NAMES_MIN = 4
#: Cosine to a copy found from which a copy is the same text and silent (20 copies per ECB+ dev event: rewrites in its story 41% -> 83%); no test.
SAME_TEXT = 0.95
#: ... when at most this many times as long as its longest copy (a clean update reached cosine 0.953 once the lede weighed double); no test.
SAME_LENGTH = 1.1
#: Cosine from which a junk-padded copy no shorter than its full copies is silent (syndicated dev, 5 orders: events F1 0.857 -> 0.867); pinned by test_copies::test_a_copy_padded_with_site_lines_adds_nothing_but_one_with_another_report_does.
PADDED_TEXT = 0.85

# -- proposal (digest.dedup.index, digest.dedup.engine) ----------------------------------------

#: Most recent articles of one LSH band or opening key proposed per query (generated stream, uncapped: copy lookups per article grew 5 at 10k -> 23 at 60k; capped, flat); no test (test_copies::test_copy_lookup_checks_only_recent_articles_in_the_window sets it to 5).
BUCKET_CAP = 128
#: Seconds beyond two windows (what a rebuilt engine restores) that a shared index keeps an article no engine has inserted or restored since (``RedisIndex.trim`` at each engine's making; an engine lives a day at most before its rebuild, so a day's slack and one more); set by hand; pinned by test_index_redis::test_articles_no_engine_holds_leave_the_index_at_the_next_engine.
INDEX_KEEP_SLACK = 2 * 86400.0
#: Candidate stories compared per article, most LSH votes first (64 gave the same stories on ECB+ dev and syndicated at a third more cost on generated); no test.
MAX_CANDIDATES = 16

# -- regrouping (digest.dedup.regrouping) --------------------------------------------------------

#: Large stories (Params.region or more) a new article tries by sample, closest first (an aftershock's report nearest the main quake); pinned by test_a_second_large_story_near_an_article_is_tried_too.
LARGE_TRIED = 2

#: Characters of the text (after the title) whose places an article's opening names (``digest.dedup.places``; as benchmarks.close_cues measured the cue, stop 53); set by hand; pinned by test_places::test_the_opening_names_its_places_without_their_generic_words.
PLACE_CHARS = 400
#: Characters of the text (after the title) whose event times an article's opening states (``digest.dedup.clock``; as benchmarks.event_time counted and benchmarks.close_cues --cue times --chars 600 measured the cue, stop 61: 600 chars flag 1 of 127 ECB+ dev same-event pairs that both state one, the whole text 25 of 208); set by hand; pinned by test_clock::test_a_time_past_the_opening_is_not_read.
CLOCK_CHARS = 600
#: Minutes within which two exact event times (a minute not a multiple of 5) are one event's ("3 : 30" against "3 : 33" is rounded; ECB+ dev's exact siblings are 11 minutes apart or more); set by hand; pinned by test_clock::test_two_quakes_eleven_minutes_apart_conflict.
CLOCK_EXACT = 5
#: Minutes within which a rounded event time ("about 7 p.m.", "2:30 a.m.") agrees with another (ECB+ dev: "shortly after 2 a.m." against "2:30 a.m.", "3 p.m." against "3:20 p.m." of one event); set by hand; pinned by test_clock::test_a_rounded_time_is_let_pass_within_its_rounding.
CLOCK_ROUND = 45
#: difflib ratio from which two surnames named as holders of one qualified office are one person spelled two ways ("Berdymukhamedov" against "Berdimuhamedov", ratio 0.93; ``digest.dedup.offices``, stop 62); set by hand: on ECB+ dev and GVC val no count moves with it (the Turkmen president's two spellings stand under a bare "President" there, which is not compared); pinned by test_offices::test_one_surname_spelled_two_ways_is_one_holder.
OFFICE_SPELLING = 0.8

# -- lead choice (digest.dedup.lead) -------------------------------------------------------------

#: Versions within this share of the best score are equally complete; set by hand; pinned by test_choose::test_choose_lead_prefers_complete_then_priority_then_earliest.
TIE = 0.05
#: Unshared words by which an equally complete version may exceed the cleanest (TIE of the longest where the cleaner cut); set by hand; pinned by test_choose::test_copy_with_residual_junk_never_leads_over_the_clean_original.
CLEAN_SLACK = 2.0
#: Share of a tied version's words its copy needs to tie too (the copy tie: syndicated dev lead-cleanest 0.87 -> 0.98); pinned by test_copies::test_the_cleaner_copy_leads_and_other_events_stay_apart.
COPY_LENGTH = 0.6
#: Share of the longest tied version's words that makes a version set the cleanness bar (with that commit's lead rules: lead-cleanest floor 0.96 -> 0.98); pinned by test_choose::test_an_opening_only_copy_not_marked_truncated_does_not_lead.
PEER_LENGTH = 0.85
#: Weight of a word no other version has (syndicated: lead is the cleanest 0.48 -> 0.81); pinned by test_choose::test_copies_of_a_version_in_the_tie_band_are_in_it_too.
UNSHARED = 0.25
#: Score with no shared content covered, as a share: content x (base + (1 - base) x coverage); set by hand; pinned by test_choose::test_copies_of_a_version_in_the_tie_band_are_in_it_too.
COVERAGE_BASE = 0.5
#: Cosine from which an outlet's later version is a revision of its earlier one, which may then not lead (Params.profile_alike's "one text lightly edited"; the quake fixtures: a correction 0.96, a toll raised with a new lede 0.92, another outlet's rewrite 0.77, a follow-up 0.70; syndicate and stories dev unchanged); pinned by test_review_stop36_corrections.
REVISION = 0.85
#: Share of the earlier version's words a revision needs to supersede it (an opening-only copy not marked truncated does not); set by hand (as COPY_LENGTH); pinned by test_choose::test_an_outlets_opening_only_copy_does_not_supersede_its_article.
REVISION_LENGTH = 0.6
#: Hours after an entry's latest version before its in-place update is read as a revision (``digest.revisions``): a feed whose items change at every poll (a live page) stores at most 6 revisions a day per entry, while a change is read within 4 hours (a daily reader sees the day's latest); set by hand; pinned by test_review_stop37_inplace::test_a_feed_changing_at_every_poll_makes_a_revision_per_interval.
REVISION_INTERVAL_HOURS = 4.0


@dataclass(frozen=True, slots=True)
class Params:
    """What one engine is built with; the defaults are the tuned values."""

    # -- proposal
    #: LSH threshold on salient-term Jaccard (19 bands of one value; proposes only, the cosine decides); set by hand; no test.
    lsh_threshold: float = 0.08

    # -- neighbours (digest.dedup.neighbours)
    #: Nearest neighbours each article keeps (regrouping, ECB+ dev worst of 5: F1 0.840 -> 0.930); pinned by test_a_story_larger_than_the_region_is_joined_through_a_sample.
    neighbours: int = 8
    #: Cosine an article needs to be another's neighbour; set by hand; pinned by test_examples::test_different_events_stay_apart.
    neighbour_floor: float = 0.1
    #: Share of the nearest neighbour's cosine a neighbour needs to count in the neighbour set; set by hand; pinned by test_examples::test_different_events_stay_apart.
    neighbour_ratio: float = 0.5

    # -- regrouping (digest.dedup.regrouping)
    #: Average shared-neighbour link at which a regrouped neighbourhood stays one story (ECB+ dev worst of 5: F1 0.840 -> 0.930, P 0.892 -> 0.964); pinned by test_rewrites_join_and_different_events_stay_apart.
    shared: float = 0.4
    #: Neighbours at twice the floor that make an article crowded, its links uncapped (ECB+ test worst of 5: P 0.939, F1 0.911, ARI 0.891); pinned by test_templated_reports_of_two_events_stay_apart.
    crowded: int = 3
    #: Share of the closer one's nearest cosine at which a sparse pair counts fully (0.5 -> 0.65 with the lede: two quakes' cap 0.48 -> 0.37); pinned by test_rewrites_join_and_different_events_stay_apart.
    relative: float = 0.65
    #: Names cosine at which a sparse pair that both name things counts fully, below it its share (0: off); one or two neighbours make shared neighbours 1 whatever the pair (benchmarks.sparse, ECB+ dev, 1-3 reports an event, 8 draws: mean P 0.790 -> 0.821 undated, 0.791 -> 0.834 dated close; benchmarks.tune: close and apart dev F1 -0.002, GVC val unchanged; 0.5: P 0.831 / 0.836 but GVC val F1 0.991 -> 0.985; 0.4: P 0.804 / 0.826); pinned by test_regroup::test_two_reports_alone_in_the_store_join_on_names_not_on_kind.
    names_sparse: float = 0.45
    #: Cosine under which a sparse pair's link is 0 whatever its rank (0: off): each other's nearest, two far-apart reports alone counted fully by their relative cosine (benchmarks.sparse, ECB+ dev, 8 draws: mean P / F1 0.855 / 0.896 -> 0.859 / 0.897 undated, 0.857 / 0.890 -> 0.864 / 0.892 close, close worst F1 0.854 -> 0.849; benchmarks.tune unchanged; 0.18: GVC val F1 0.991 -> 0.985, 0.2: 0.976 and apart dev 0.966 -> 0.964 (GVC val follow-ups, 'Neighborhood leaders call for an end to violence', join their shooting below 0.2); a linear share cos / x instead: 0.5 lowers undated F1 to 0.894; benchmarks.syndicate dev, seeds_check unchanged; outside check benchmarks.young_store P 0.868 -> 0.880); pinned by test_regroup::test_two_reviews_alone_in_the_store_far_apart_stay_two_stories.
    sparse_cosine: float = 0.17
    #: Non-name-words cosine at which a sparse pair counts fully (two decisions of one council share names, not words); set by hand; pinned by test_rewrites_join_and_different_events_stay_apart.
    words_scale: float = 0.3
    #: Names cosine at which a templated pair counts fully, below it the square of its share (generated: stories mixing worlds 59 -> 22); pinned by test_templated_reports_of_two_events_stay_apart.
    names_scale: float = 0.5
    #: Squared mass in names both articles need for the template rule (0: no such cap); set by hand; no test.
    names_min: float = 0.1
    #: Non-name-words cosine from which a pair is held to the template rule (generated: 59 -> 22 with names_scale); pinned by test_templated_reports_of_two_events_stay_apart.
    template_words: float = 0.5
    #: Articles regrouped at most around one new article; a story this large is joined by sample (3,000-copy story: 200 ms -> 14 ms a version); no test (tests set it).
    region: int = 400

    # -- a source's own words (digest.dedup.sourceterms)
    #: Share of a source's articles holding a term from which, between two of its articles, the term is no evidence (0: off) (benchmarks.feed_merges, the 14 corpus feeds of 3+ entries read as new sources: posts hidden in another post's story 44 -> 34, the Nokia apps blog's 8-post story gone; --folder --least 1: 53 -> 43; benchmarks.tune: ecb-close dev F1 0.944 -> 0.946, the rest unchanged; syndicate dev, young_store, seeds_check unchanged; 0.25: hidden 35, 0.9: 39); no test (the written feeds part and join the same at 0.25 and 0.9).
    source_share: float = 0.5
    #: Fewest of the source's articles that must hold it (a follow-up shares its names with its report: two articles; the seeds folder as one source: five; 2: feed_merges hidden 32 but the seeds folder and the follow-up split; 8: 36); pinned by test_source_template (2: the follow-up parts; 8: the seven posts join).
    source_least: int = 4
    #: Least share of an article's squared mass its terms other than its source's own count as, when two of the source's articles are compared by those terms (a templated post's rest is a few words, alike by chance; the seeds folder's rewrites keep 0.29-0.70 of theirs, the written apps feed's posts 0.01-0.19); set by hand (0.01 or 0.6: feed_merges hidden 34 / 33, the tests pass); no test.
    source_rest: float = 0.25
    #: A source's latest articles its own words are counted over (older ones leave the count): memory stays one window of terms a source however long the engine lives, and a template changed, or a developing story a small source was all about, stops counting once the source has moved on; set by hand above the largest feed of the corpus (benchmarks.feed_merges: the 14 feeds hold 4-27 entries: 34 hidden, as unbounded); benchmarks.tune as unbounded (below).
    source_recent: int = 64
    #: Fewest of a source's latest titles naming a term outside the parts its titles repeat (a label before a colon, its site's name) from which the term is not its own however many of its articles hold it (0: off): a small source telling one developing story names it in its headlines, a template does not (benchmarks.one_source, ECB+ dev, a source of 4-12 articles, 4-6 of one event: events joined whole 0.49 -> 0.78, 0.82 with no own words, B-cubed P 0.997 throughout; 1: 0.80 but feed_merges hidden 34 -> 41; 3: 0.75; feed_merges 34 and --folder --least 1 43 unchanged; benchmarks.tune, sparse dev, syndicate dev, young_store, seeds_check unchanged); pinned by test_source_template (fire.xml: 0 makes its five one story of four and one; apps.xml: titles uncut make its seven two stories).
    source_titled: int = 2

    # -- time model
    #: Seconds a story stays open after its latest version or before its first (dated ECB+ dev worst of 3: F1 0.845 at 3 days, 0.968 at 30; GVC val 0.914 -> 0.982); pinned by test_links_weaken_with_time_beyond_the_grace.
    window: float = 30 * 86400.0
    #: Seconds apart within which two articles' link counts fully (a 3-day grace, 7-day scale: dated ECB+ dev F1 0.968 -> 0.887); no test (test_links_weaken_with_time_beyond_the_grace sets it).
    time_grace: float = 14 * 86400.0
    #: Beyond the grace a link decays by e every this many seconds (GVC val precision 0.981 -> 1.000 at a 30-day window); no test (as time_grace).
    time_scale: float = 30 * 86400.0

    #: Seconds by which a group's earliest version may precede all its others when it leaves versions of its own story for them, beyond which its links to them count ``lead_factor`` (dated ECB+ dev close worst of 3: P 0.983 -> 0.986, F1 0.939 -> 0.946; dev apart, GVC val unchanged; 12 h: F1 0.945, 2 days: no gain); pinned by test_regroup::test_an_early_report_does_not_follow_a_later_event_of_its_kind (0: off).
    lead_gap: float = 86400.0
    #: Share of the early version's links that counts past ``lead_gap`` (0.2: F1 0.946; 0.5: 0.944; 0: 0.946); no test.
    lead_factor: float = 0.2
    #: Fewest other versions a group needs for the ``lead_gap`` check (a pair a day apart is a follow-up as often as not; 1 gave the same stories); set by hand; no test.
    lead_peers: int = 2

    # -- one event in two groups (digest.dedup.contained.join_contained)
    #: Fewest articles each of two groups needs to be joined when one says at most ``contained_terms`` things the other does not (0: off): an event of 20 reports is two neighbourhoods at 8 neighbours, one half often the other's briefer telling (benchmarks.tune, worst of 3: ECB+ close dev P / F1 0.986 / 0.946 -> 0.986 / 0.964, apart 1.000 / 0.966 -> 1.000 / 0.978, GVC val unchanged; through replay, benchmarks.timeline --split dev: close final 0.984 / 0.938 -> 0.984 / 0.957, apart 1.000 / 0.966 -> 1.000 / 0.977; 2 and 4 the same; sparse dev, young_store unchanged); pinned by test_contained (0: three stories where two are one).
    contained_least: int = 3
    #: Average link two such groups need (the halves of one event on ECB+ close dev 0.31-0.39, siblings of a topic 0.23-0.39: the terms tell them); 0.25 the same on benchmarks.tune, 0.35: close F1 0.952, apart 0.966; pinned by test_contained.
    contained_link: float = 0.3
    #: Most terms (in half a group's articles, two at least, and in at most a tenth of the other's) the briefer of two such groups may hold that the other does not (ECB+ dev halves of one event 0-1, siblings linked 0.3+ 2-29; 0: no join, close F1 0.946; 2: close P 0.986 -> 0.982); pinned by test_contained::test_two_halves_that_each_say_something_of_their_own_stay_apart.
    contained_terms: int = 1

    # -- neighbour profiles (digest.dedup.caps.profile_cap)
    #: Largest regrouped region whose pairs get the profile cap (0: off); a young store's regions are small (benchmarks.sparse, ECB+ dev, 8 draws: mean P 0.821 -> 0.845 undated, 0.834 -> 0.859 close; benchmarks.tune and ECB+ dev through digest dedupe unchanged; speed: ECB+ +5% CPU, generated 10k 371 -> 352 articles/s); pinned by test_profile_cap::test_two_matches_of_one_club_stay_two_stories_in_every_order.
    profile_size: int = 32
    #: Correlation of a pair's cosines to the third articles near either below which its link is capped, linearly to 0 at -1 (-0.3: sparse dev P 0.855 / 0.866 but apart dev F1 0.966 -> 0.962); pinned by test_profile_cap::test_the_cap_falls_across_the_events_and_not_within_them.
    profile_floor: float = -0.5
    #: Fewest third articles near either for a profile to be evidence (with only two, a correlation is always +1 or -1: 2 gave sparse dev P 0.849 / 0.869, the same elsewhere, kept out on that ground; a floor on each profile's spread besides, 0.03: undated P 0.855 -> 0.845, dropped); pinned by test_profile_cap::test_too_few_third_articles_are_no_evidence; versions of one text (profile_alike) count as one third: a revision made two thirds of one text, and a story shown as one split in two (dev streams, sparse, syndicate unchanged; test_profile_cap::test_versions_of_one_text_count_once_among_the_third_articles).
    profile_thirds: int = 3
    #: Cosine from which a pair gets no profile cap: versions of one text lightly edited, their profiles flat (a review's probe, 40 regions of 5-8 such versions of one report: the cap fell to 0.0003 in some without it, none with it; sparse dev unchanged; a floor of 0.03 on each profile's spread instead: undated P 0.855 -> 0.845 and one region still capped); pinned by test_profile_cap::test_versions_of_one_text_are_not_capped.
    profile_alike: float = 0.85
    # -- young neighbourhoods (digest.dedup.caps.young_cap)
    #: Neighbours at the floor under which an article's neighbourhood is young, in regions of profile_size or fewer (0: off): a new store's topic of four to six reports, each the others' only neighbours, crowded yet telling two events apart by nothing (benchmarks.sparse, ECB+ dev, 8 draws, with young_cosine 0.45: mean P / F1 0.859 / 0.897 -> 0.866 / 0.901 undated, 0.864 / 0.892 -> 0.878 / 0.901 close; 8 (any list not full): benchmarks.tune apart dev F1 0.966 -> 0.960; 4 at 0.5: GVC val 0.991 -> 0.985; benchmarks.young_store P / F1 0.880 / 0.934 -> 0.886 / 0.937); pinned by test_young_cap::test_two_fires_are_two_stories_and_their_rewrites_one_in_every_order.
    young_list: int = 5
    #: Mean of cosine and names cosine at which a young pair counts fully, below it its share (benchmarks.tune unchanged at 0.45; 0.5: GVC val F1 0.991 -> 0.985; 0.6: sparse dev P 0.886 / 0.910 but GVC val 0.976; the cosine alone or the larger of the two ranked no better); pinned by test_young_cap::test_two_fires_are_two_stories_and_their_rewrites_one_in_every_order.
    young_cosine: float = 0.45
    # -- crowded articles in a young store (digest.dedup.caps.crowd_cap)
    #: Share of the closer one's nearest cosine at which a pair of crowded articles with lists not full (``crowd_list``), in regions of profile_size or fewer, published more than ``crowd_gap`` apart, counts fully, below it the square of its share (0: off, the engine before stop 57) (stop 57, all dev, 0.8: close_cues young-close 32 draws mean P / F1 0.8847 / 0.9054 -> 0.8980 / 0.9115, strays 263 -> 229; sparse dev close 0.889 / 0.906 -> 0.904 / 0.916; ecb-apart 10 seeds mean F1 0.9765 -> 0.9762 (a follow-up split off in 2 seeds); ecb-sameday, ecb-close, gvc, gvc-close, young-undated, young_store, one_source, feed_merges, syndicate unchanged; 0.75: young-close 0.8948 / 0.9104, apart 0.9762); on: precision first, a young store's false merges hide news (the fixture week's third match), the apart loss a follow-up shown apart; pinned by test_crowd_cap.
    crowd_scale: float = 0.8
    #: Seconds apart from which a pair is held to ``crowd_scale`` (an undated pair is not; an undated article is held to a dated one held to another, review of stop 57: the fixture week with one report undated no longer bridged): one day's reports of one event, an undated store, are left alone (stop 57: with no gap, one_source dev all-mixes joined 0.77 -> 0.69); pinned by test_crowd_cap::test_one_days_reports_are_not_held_to_it.
    crowd_gap: float = 86400.0
    #: Neighbours at the floor under which a crowded article is held to ``crowd_scale`` (stop 57: 8, any list not full: ecb-apart mean F1 0.9765 -> 0.9741; 7: 0.9762, young-close the same; 6: the fixture week joined in 7 of 8 orders); pinned by test_crowd_cap::test_two_matches_and_a_third_are_three_stories_in_every_order (its seven reports have six neighbours each).
    crowd_list: int = 7
    # -- places in the opening (digest.dedup.places)
    #: Share of its regrouping link a pair counts when each one's opening names a place the other's terms and places never mention (1: off) (benchmarks.close_cues, ECB+ dev young store, built: young-close 32 draws mean P / F1 0.8737 / 0.9011 -> 0.8847 / 0.9054, strays 288 -> 263, worst P 0.782 -> 0.812; young-undated 16: 0.8697 / 0.8964 -> 0.8792 / 0.8994; benchmarks.sparse dev mean P 0.866 -> 0.876 undated, 0.878 -> 0.889 close; benchmarks.tune 3 seeds unchanged, 10 seeds unchanged but close worst F1 0.945 -> 0.943; as a wrapper, 0.3: more P, less F1; young neighbourhoods only: no more); pinned by test_places::test_two_bursts_are_two_stories_and_their_rewrites_one_in_every_order.
    place_factor: float = 0.5
    # -- the time of day the opening says its event happened (digest.dedup.clock)
    #: Share of its regrouping link a pair counts when both openings state the event's time of day and none of one agrees with any of the other (1: off) (stop 61, issue #19; benchmarks.close_cues --cue times --chars 600, 10 seeds each, dev / val: ecb-sameplace worst P 0.966 -> 0.969, mean P / F1 0.9829 / 0.9561 -> 0.9855 / 0.9580, strays 53 -> 46 (all 7 of the two quakes on one island); ecb-sameday, ecb-close, ecb-apart, gvc, gvc-close, young-close, young-undated, sparse dev, syndicate, feed_merges, young_store identical, one_source P 0.9976 -> 0.9977; undated ECB+ dev unchanged in 3 orders; 0.5: 0.9851 / 0.9581, 47 strays); OFF (1.0) since stop 61: the final CI's test splits, read once after it was built, cost GVC test F1 0.954 -> 0.939 (under its 0.95 target; two incidents parted, a stamp "Posted : Sunday ... at 9:17pm" and a roundup of several shootings) for ECB+ close test P 0.945 -> 0.949, F1 0.913 -> 0.912, while its dev gain was one topic of a made stream, within noise; not re-tuned on what the test showed; 0.2 is what dev chose); pinned by test_clock::test_two_quakes_on_one_island_are_two_stories (set to 0.2 there).
    clock_factor: float = 1.0
    # -- the time of day a group's reports state against one of its reports (digest.dedup.storyclock)
    #: Share of its links to the rest of its group a report counts when its stated event time conflicts with more than half of the group's other reports that state one (``story_clock_least`` copy groups or more; its links to reports agreeing with it kept), the region grouped again once (1: off) (stop 65, issue #19; stop 64's prototype benchmarks.story_facts --prototype clock --least 3 --factor 0.2, built; benchmarks.close_cues --set story_clock_factor=F, 10 seeds each, dev / val, worst P / F1, mean P / F1, strays, 1 -> 0.2: ecb-sameteam 0.928 / 0.906, 0.9425 / 0.9176, 205 -> 0.932 / 0.906, 0.9462 / 0.9199, 187; ecb-sameplace 0.973 / 0.950, 0.9856 / 0.9588, 45 -> 0.976 / 0.950, 0.9882 / 0.9611, 38; young-close 16 mean 0.9155 / 0.9226, 95 -> 0.9175 / 0.9236, 92; young-undated 8 0.8907 / 0.9127, 61 -> 0.8941 / 0.9136, 59; ecb-sameday, ecb-close, ecb-apart, gvc, gvc-close identical; undated ECB+ dev 3 orders the same partitions; syndicate dev 3 orders identical (per copy, not per copy group: mixture events F1 0.8887 -> 0.8867); sparse dev: see docs/evaluation.md "Stop 65: the time of day at the group"; 0.2 as stop 64 chose, not re-tuned; no test split read); pinned by test_storyclock::test_the_engine_parts_the_stray_from_the_shooting_in_every_order.
    story_clock_factor: float = 0.2
    #: Stating reports besides the one judged a group needs before its time of day parts one (stop 64's prototype: 3; 1 flags the two-report groups a page stamp decides); set by hand; pinned by test_storyclock::test_a_group_with_too_few_stating_reports_parts_none.
    story_clock_least: int = 3
    # -- who holds an office, as the article says it (digest.dedup.offices)
    #: Share of its regrouping link a pair counts when one names a person elected ("President-elect Barack Obama") whom the other names in that office, or both name different holders of one qualified office ("Interior Secretary Kempthorne" against "Interior Secretary Salazar") (1: off) (stop 62, issue #19; benchmarks.office_cue: flags 84 of 2,957 ECB+ dev sibling pairs, 0 of 2,925 same-event pairs, 0 of GVC val's 51 same-incident pairs; benchmarks.close_cues, 10 seeds each, dev / val, worst P / F1, mean P / F1, strays: ecb-close 0.974 / 0.943, 0.9860 / 0.9563, 45 -> 0.981 / 0.949, 0.9887 / 0.9590, 37; ecb-sameday 0.979 / 0.947, 0.9838 / 0.9575, 48 -> 0.979 / 0.950, 0.9855 / 0.9592, 43; ecb-sameplace 0.966 / 0.943, 0.9829 / 0.9561, 53 -> 0.973 / 0.950, 0.9856 / 0.9588, 45; ecb-apart, gvc, gvc-close identical; young-close 16 mean 0.9039 / 0.9167 -> 0.9155 / 0.9226, young-undated 8 0.8761 / 0.9043 -> 0.8907 / 0.9127; sparse dev mean P 0.876 -> 0.891 undated, 0.904 -> 0.919 close; undated ECB+ dev 3 orders 0.9722 / 0.9488 -> 0.9754 / 0.9518 in one, the others identical; young_store, syndicate, feed_merges identical, one_source dev P 0.990 -> 0.992 (5+5); 0.5: the same on the six dated streams, young-close 0.9147 / 0.9222, young-undated 0.8836 / 0.9082; every gain is ECB+ dev topic 9, Bush's and Obama's rulings on the Endangered Species Act); pinned by test_offices::test_two_rulings_on_one_law_under_two_administrations_are_two_stories.
    office_factor: float = 0.2
