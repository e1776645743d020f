"""``benchmarks.edition_cue`` (stop 62, issue #19): what the counted readings read of a report
(a product's versions, an event's ordinal or year, the months named, a person's age) and when a
pair disagrees.  The readings were counted on dev pairs and not built into the engine."""

from benchmarks import edition_cue as ec


def test_product_versions_are_read_under_one_product() -> None:
    got = ec.versions("IE6 through IE11 harbor the bug; attacks hit Internet Explorer 8 on Windows XP.")
    assert got == {"Internet Explorer": frozenset({"6", "11", "8"}), "Windows": frozenset({"xp"})}
    assert ec._keyed(ec.versions("Internet Explorer 7"), ec.versions("IE 10")) is True
    assert ec._keyed(ec.versions("IE7 and IE8"), ec.versions("IE8")) is False
    assert ec._keyed(ec.versions("IE7 and IE8"), ec.versions("IE8"), newest=True) is False
    assert ec._keyed(ec.versions("IE 8 and 9"), ec.versions("IE 11 and IE 9"), newest=True) is True
    assert ec._keyed(ec.versions("Windows 8"), ec.versions("IE 8")) is None


def test_an_events_ordinal_is_one_number_however_written() -> None:
    assert ec.editions("The 4th parliamentary election of Turkmenistan ended") == {"#4"}
    assert ec.editions("the country's fourth parliamentary elections") == {"#4"}
    assert ec.editions("after the 2008 presidential election") == {"2008"}
    assert ec.editions("the fourth quarter") == frozenset()


def test_months_and_ages() -> None:
    assert ec.months("on Dec.14 and in December, then Sept. 3") == {"Dec", "Sep"}
    assert ec.months("May we ask") == {"May"}  # the reading's known looseness, counted as is
    assert ec.ages("Buckley, 32, was charged; Kenyon, 27, too.") == {"Buckley": {32}, "Kenyon": {27}}
    assert ec._keyed(ec.ages("Buckley, 32, was"), ec.ages("Buckley, 31, was")) is True
