import pytest

from samenspel.matching.headcount import headcount


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We koken op dinsdag met 30 buren", 30),
        ("Wij zoeken twaalf enthousiaste vrijwilligers", 12),
        ("A room for 20 people with a kitchen", 20),
        ("Rond de 40 mensen, soms meer", 40),
        ("Huiswerkklas voor 15 kinderen", 15),
        ("Een ruimte op dinsdag 18:00", None),  # a time is not a headcount
        ("Zaal van 120 m2", None),
        ("", None),
    ],
)
def test_a_number_of_people_is_read_from_the_text(text, expected):
    assert headcount(text) == expected


def test_the_title_comes_before_the_description():
    assert headcount("Plek voor 8 deelnemers", "Soms komen er 20 mensen") == 8
