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
