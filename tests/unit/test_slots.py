import pytest

from samenspel.matching.slots import SlotError, format_slot, parse_slots, slots_to_text

MON, TUE, SAT, SUN = 0, 1, 5, 6
MORNING, AFTERNOON, EVENING = 0, 1, 2


@pytest.mark.parametrize(
    "text, expected",
    [
        ("di avond", {(TUE, EVENING)}),
        ("dinsdagavond", {(TUE, EVENING)}),
        ("di-avond", {(TUE, EVENING)}),
        ("tue evening", {(TUE, EVENING)}),
        ("Tuesday Evening", {(TUE, EVENING)}),
        ("di avond; za ochtend", {(TUE, EVENING), (SAT, MORNING)}),
        ("ma middag, zo ochtend", {(MON, AFTERNOON), (SUN, MORNING)}),
        ("maandag", {(MON, MORNING), (MON, AFTERNOON), (MON, EVENING)}),
        ("weekend ochtend", {(SAT, MORNING), (SUN, MORNING)}),
        ("", set()),
    ],
)
def test_when_cells_in_dutch_and_english_become_slots(text, expected):
    assert parse_slots(text) == frozenset(expected)


def test_every_evening_without_a_day_means_all_seven():
    assert parse_slots("avond") == frozenset((day, EVENING) for day in range(7))


@pytest.mark.parametrize("text", ["dinsdag laat", "soms", "di nacht?"])
def test_unknown_words_are_an_error_not_silently_ignored(text):
    with pytest.raises(SlotError):
        parse_slots(text)


def test_slots_round_trip_through_their_canonical_text():
    slots = parse_slots("za ochtend; di avond")
    assert slots_to_text(slots) == "di avond; za ochtend"
    assert parse_slots(slots_to_text(slots)) == slots


def test_a_slot_reads_naturally_in_both_languages():
    assert format_slot((TUE, EVENING), "nl") == "dinsdagavond"
    assert format_slot((TUE, EVENING), "en") == "Tuesday evening"


THU, FRI = 3, 4


@pytest.mark.parametrize(
    "text, expected",
    [
        # Days joined by "en" or a comma share the part of the day that follows them.
        ("di en do avond", {(TUE, EVENING), (THU, EVENING)}),
        ("ma, do en vr middag", {(MON, AFTERNOON), (THU, AFTERNOON), (FRI, AFTERNOON)}),
        ("di ochtend en do avond", {(TUE, MORNING), (THU, EVENING)}),
        ("za ochtend en middag", {(SAT, MORNING), (SAT, AFTERNOON)}),
        ("'s avonds op dinsdag", {(TUE, EVENING)}),
        ("ma t/m vr ochtend", {(day, MORNING) for day in range(5)}),
        ("za - ma avond", {(SAT, EVENING), (SUN, EVENING), (MON, EVENING)}),
        # Clock times become the parts of the day they cover.
        ("di 18:00-21:00", {(TUE, EVENING)}),
        ("do 9.30 - 12.00 uur", {(THU, MORNING)}),
        ("za van 14 tot 19 uur", {(SAT, AFTERNOON), (SAT, EVENING)}),
        ("vr om 19u", {(FRI, EVENING)}),
        ("do 17:45-21:00", {(THU, EVENING)}),  # a quarter of an hour is not an afternoon
    ],
)
def test_days_parts_and_clock_times_as_people_write_them(text, expected):
    assert parse_slots(text) == frozenset(expected)


def test_a_clock_range_without_a_day_is_every_day():
    assert parse_slots("18:00-21:00") == frozenset((day, EVENING) for day in range(7))


@pytest.mark.parametrize("text", ["di 25:00", "di 03:00-04:00", "di 18:75"])
def test_impossible_or_night_times_are_refused(text):
    with pytest.raises(SlotError):
        parse_slots(text)
