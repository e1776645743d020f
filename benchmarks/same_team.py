"""A dev stream whose close siblings share their people, teams and places: ``ecb-sameteam`` (tuning split only).

Observations
------------
* Issue #19's errors left on test are two events of one kind 1-3 days apart whose reports
  name the same things (two matches of one team at two grounds, two quakes in one region).
  Stop 63 found that dev's strays are siblings years apart instead, so no dev stream could
  judge a cue that reads what parts two such events: the venue, the date, the numbers.
* ``ecb-sameplace`` (stop 60) renames only the second event's places, and with them its
  venues ("Betty Ford Center" -> "Promises Treatment Center", "Stade de Suisse" -> "SAP
  Arena"), so a venue cue has nothing to read there.
* This stream renames, in every dev topic where they differ, the second event's people,
  teams, organisations and places to the first's (:data:`SAME_TEAM`, a hand-made table of
  dev topics only: Andrew Luck -> Peyton Manning, the Chiefs -> the Jaguars, Lindsay Lohan
  -> Tara Reid, Aceh -> Papua) and leaves its venues, dates and numbers as they are: the
  Colts beat the Jaguars at Arrowhead Stadium 20-13 on a Sunday and at home 31-24 on a
  Thursday; Tara Reid checks into the Betty Ford Center and into Promises.  Only venue,
  date, time and number evidence can part such siblings.  Everything else is
  ``ecb-close``'s: the same seeded dates, delays and outlets (the generator's draws do not
  read the text), so a figure against ``ecb-close`` of the same seeds is the renaming's alone.

How it works
------------
``same_team_stream("dev", seed)`` is ``dated.ecb_stream`` of the close scenario on the rows
rewritten by ``same_place.rewrite`` with :data:`SAME_TEAM`; whole-word, case-sensitive
replacements, longest name first, in the title and the text.  Registered as
``ecb-sameteam`` in ``dated.STREAMS`` and in ``benchmarks.tune``'s ``TUNING_SPLIT`` (dev);
any other split is refused.  An own-generator stream: its figures say what a cue does on
errors of the test's shape made from dev, not what it does on test.

    python -m benchmarks.close_cues --cue none --streams ecb-sameteam:10,ecb-close:10
"""

from __future__ import annotations

from typing import Any

from .common import load_ecb
from .same_place import rewrite

#: Per ECB+ dev topic, the second event's people, teams, organisations and places renamed to
#: the first's (longest first at use); venue names (a word before Center, Stadium, Arena,
#: Hospital, Building, Park ...) are left, as are dates and numbers.  Read off each event's
#: most frequent capitalised words (stop 64); dev topics only.
SAME_TEAM: dict[int, tuple[tuple[str, str], ...]] = {
    1: (("Lindsay Lohan", "Tara Reid"), ("Lohan", "Reid"), ("Lindsay", "Tara"), ("Shawn Holley", "Jack Ketsoyan"),
        ("Holley", "Ketsoyan"), ("Newport Beach", "Malibu"), ("Rancho Mirage", "Malibu")),
    3: (("Arcade Joseph Comeaux Jr", "Brian Nichols"), ("Comeaux", "Nichols"), ("Huntsville", "Atlanta"),
        ("Houston", "Atlanta"), ("Beaumont", "Atlanta"), ("Baytown", "Buckhead"), ("Brazos County", "Fulton County"),
        ("Texas", "Georgia")),
    7: (("Tony Thompson", "Hasim Rahman"), ("Thompson", "Rahman"), ("Tony", "Hasim"), ("Bern", "Mannheim"),
        ("Switzerland", "Germany"), ("Swiss", "German")),
    9: (("Ken Salazar", "Dirk Kempthorne"), ("Salazar", "Kempthorne")),
    13: (("Palmer", "Wasilla"),),
    19: (("Kimani Gray", "Alexandros Grigoropoulos"), ("Kimani", "Alexandros"), ("Gray", "Grigoropoulos"),
         ("East Flatbush", "Exarchia"), ("Brooklyn", "Athens"), ("New York", "Greece"), ("NYPD", "Greek police")),
    21: (("Raj Chohan", "Ann Marie Johnson"), ("Chohan", "Johnson"), ("Queens", "Bloomington"),
         ("Richmond Hill", "Burnsville"), ("Schenectady", "Burnsville"), ("New York", "Minnesota")),
    23: (("Robert Buckley", "Miles Vinar"), ("Buckley", "Vinar"), ("British", "Australian"), ("English", "Australian"),
         ("Mount Sefton", "Mount Cook")),
    25: (("Pierre Thomas", "Reggie Bush"), ("Thomas", "Bush")),
    27: (("Dustin Childs", "Christopher Budd"), ("Childs", "Budd")),
    29: (("Kansas City Chiefs", "Jacksonville Jaguars"), ("Kansas City", "Jacksonville"), ("Chiefs", "Jaguars"), ("CHIEFS", "JAGUARS"),
         ("Andrew Luck", "Peyton Manning"), ("Luck", "Manning")),
    31: (("Doug McDermott", "Tyler Hansbrough"), ("McDermott", "Hansbrough"), ("Creighton", "North Carolina"),
         ("Bluejays", "Tar Heels")),
    33: (("Andrew Lopez", "Jermayne Timmons"), ("Lopez", "Timmons"), ("Zurana Horton", "Kathina Thomas"),
         ("Horton", "Thomas"), ("Brownsville", "West Hill"), ("Brooklyn", "Albany")),
    35: (("Jamal Williams", "Vincent Jackson"), ("Williams", "Jackson")),
    37: (("Banda Aceh", "Manokwari"), ("Central Aceh", "West Papua"), ("Bener Meriah", "Sorong"), ("Aceh", "Papua"),
         ("Sumatra", "Papua"), ("Bireun", "Manokwari"), ("Lampahan", "Manokwari"), ("Takengon", "Sorong")),
    39: (("Peter Capaldi", "Matt Smith"), ("Capaldi", "Smith"), ("Matt Smith", "David Tennant"), ("Smith", "Tennant")),
    41: (("South Sudanese", "Palestinian"), ("South Sudan", "Gaza"), ("Sudanese", "Israeli"), ("Sudan", "Israel"),
         ("Yida", "Jabaliya"), ("Khartoum", "Tel Aviv"), ("Unity State", "Gaza Strip"),
         ("South Kordofan", "Gaza City"), ("Southern Kordofan", "Gaza City")),
    43: (("SeaMicro", "ATI"), ("Sea Micro", "ATI")),
    45: (("Christopher Kenyon Simpson", "Scott Peterson"), ("Simpson", "Peterson"), ("Fort Smith", "Modesto"),
         ("Fort Coffee", "Modesto"), ("Spiro", "Modesto"), ("Crawford County", "Stanislaus County"),
         ("Oklahoma", "California"), ("Arkansas", "California"), ("Ark", "Calif")),
}


def same_team_stream(split: str, seed: int = 0) -> list[dict[str, Any]]:
    """``ecb-close`` of ECB+ dev with the siblings' people, teams and places made one."""
    if split != "dev":
        raise ValueError(f"ecb-sameteam is a tuning stream, made of ECB+ dev only (not {split!r})")
    from .dated import ecb_stream

    return ecb_stream(split, "close", seed, rows=rewrite(load_ecb(split), SAME_TEAM))
