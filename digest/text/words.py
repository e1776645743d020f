"""The one English stop-word list.  Pure data.

Observations
------------
Two readers need to know which words carry no content.  The cleaner
(``digest.text.clean``) asks how much of a line is function words: running
text is a quarter or more of them, a menu or a share bar is not.  The
fingerprint (``digest.dedup.terms``) drops words that say nothing of which
event a report is about: the function words, and the words every news report
uses whatever it reports ("told", "week", "years", "several").

How it works
------------
``FUNCTION_WORDS`` is the list both read; ``NEWS_FILLERS`` is what the
fingerprint drops besides (``STOPWORDS`` is the union).
"""

from __future__ import annotations

#: Function words, and the reporting verbs and small numbers every report has.
FUNCTION_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves said says one two new may might must shall us""".split()
)

#: Words of every news report whatever it is about: no evidence of which event it reports.
NEWS_FILLERS = frozenset(
    """ago almost although always among another anyone anything around away back became become
    cannot day days done dr either else enough even ever every get gets getting got however
    include including last least less let like made make many mr mrs ms much near need never
    next often onto others otherwise per perhaps put rather really say see seen several since
    tell though three thus time times today together told took toward upon use used via way
    week well whatever whether whose within without year years yet""".split()
)

#: What a fingerprint leaves out (``digest.dedup.terms``).
STOPWORDS = FUNCTION_WORDS | NEWS_FILLERS
