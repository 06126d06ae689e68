"""The match lifecycle as case tables: every step that is allowed, for whom, and every step
that is refused, with why."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from samenspel.services import lifecycle as lc
from samenspel.services.lifecycle import Refusal

B, INI, P, S = lc.BROKER, lc.INITIATIVE, lc.PARTNER, lc.SYSTEM

# (from, to, who may take the step): the whole lifecycle, written out by hand.
ALLOWED = [
    (lc.SUGGESTED, lc.INTRODUCED, {B}),
    (lc.SUGGESTED, lc.REJECTED, {B}),
    (lc.SUGGESTED, lc.EXPIRED, {S}),
    (lc.SUGGESTED, lc.DECLINED, {INI, P}),
    (lc.SUGGESTED, lc.AGREED, {B, S}),
    (lc.INTRODUCED, lc.AGREED, {INI, P}),
    (lc.INTRODUCED, lc.DECLINED, {INI, P}),
    (lc.INTRODUCED, lc.EXPIRED, {S}),
    (lc.AGREED, lc.ACTIVE, {INI, P, B}),
    (lc.AGREED, lc.DECLINED, {INI, P, B}),
    (lc.AGREED, lc.DONE, {INI, P, B}),
    (lc.ACTIVE, lc.DONE, {INI, P, B}),
    (lc.ACTIVE, lc.DECLINED, {INI, P, B}),
]
STEP_CASES = [
    pytest.param(start, to, who, id=f"{start}->{to} by {who}")
    for start, to, allowed in ALLOWED
    for who in lc.MOVERS
    if who in allowed
]
NOT_YOURS_CASES = [
    pytest.param(start, to, who, id=f"{start}->{to} by {who}")
    for start, to, allowed in ALLOWED
    for who in lc.MOVERS
    if who not in allowed
]
NOT_A_STEP_CASES = [
    pytest.param(start, to, id=f"{start}->{to}")
    for start, to in itertools.product(lc.STATUSES, lc.STATUSES)
    if (start, to) not in {(a, b) for a, b, _ in ALLOWED}
]


def test_the_table_is_exactly_the_written_out_lifecycle():
    assert {step: set(who) for step, who in lc.STEPS.items()} == {
        (start, to): who for start, to, who in ALLOWED
    }


@pytest.mark.parametrize(("start", "to", "who"), STEP_CASES)
def test_an_allowed_step(start, to, who):
    assert lc.refusal(start, to, who) is None
    assert lc.may(start, to, who)
    assert lc.may(start, to, frozenset({who}))


@pytest.mark.parametrize(("start", "to", "who"), NOT_YOURS_CASES)
def test_a_step_that_is_not_this_movers(start, to, who):
    assert lc.refusal(start, to, who) is Refusal.NOT_YOURS
    assert not lc.may(start, to, who)


@pytest.mark.parametrize(("start", "to"), NOT_A_STEP_CASES)
def test_a_step_that_does_not_exist_is_refused_for_everyone(start, to):
    for who in lc.MOVERS:
        assert lc.refusal(start, to, who) is Refusal.NOT_A_STEP
    assert lc.refusal(start, to, frozenset(lc.MOVERS)) is Refusal.NOT_A_STEP
    assert lc.movers(start, to) == frozenset()


def test_someone_with_several_roles_may_take_a_step_that_one_of_them_allows():
    # A broker who is also listed as one side (not in the demo, but possible): either role.
    assert lc.may(lc.INTRODUCED, lc.AGREED, {B, P})
    assert lc.refusal(lc.INTRODUCED, lc.AGREED, {B}) is Refusal.NOT_YOURS
    assert lc.refusal(lc.SUGGESTED, lc.INTRODUCED, frozenset()) is Refusal.NOT_YOURS


@pytest.mark.parametrize(
    ("status", "next_ones"),
    [
        (lc.SUGGESTED, {lc.INTRODUCED, lc.REJECTED, lc.EXPIRED, lc.DECLINED, lc.AGREED}),
        (lc.INTRODUCED, {lc.AGREED, lc.DECLINED, lc.EXPIRED}),
        (lc.AGREED, {lc.ACTIVE, lc.DONE, lc.DECLINED}),
        (lc.ACTIVE, {lc.DONE, lc.DECLINED}),
        (lc.DONE, set()),
        (lc.REJECTED, set()),
        (lc.DECLINED, set()),
        (lc.EXPIRED, set()),
        ("unknown", set()),
    ],
)
def test_where_each_status_can_go(status, next_ones):
    assert lc.next_statuses(status) == next_ones
    assert (status in lc.FINAL) == (not next_ones and status in lc.STATUSES)


def test_no_step_stays_in_place_or_leaves_a_final_status():
    for start, to in lc.STEPS:
        assert start != to
        assert start not in lc.FINAL
        assert start in lc.STATUSES and to in lc.STATUSES


def test_only_the_system_expires_and_only_what_nobody_decided_yet():
    expiring = {start for (start, to), who in lc.STEPS.items() if to == lc.EXPIRED}
    assert expiring == {lc.SUGGESTED, lc.INTRODUCED}
    assert all(lc.STEPS[(start, lc.EXPIRED)] == {S} for start in expiring)
    # Besides that, the system only introduces two sides who both asked, where the area chose
    # "both said yes = introduced" (services/areas.py).
    others = {step for step, who in lc.STEPS.items() if S in who and step[1] != lc.EXPIRED}
    assert others == {(lc.SUGGESTED, lc.AGREED)}


def test_every_status_has_one_dutch_word_as_its_label():
    assert set(lc.LABELS) == set(lc.STATUSES)
    words = list(lc.LABELS.values())
    assert len(set(words)) == len(words)  # no two statuses look the same on a page
    for word in words:
        assert word and " " not in word and word == word.strip().lower(), word
    assert lc.label_key(lc.INTRODUCED) == "kennismaking"
    assert lc.label_key("open") == "open"  # not a match status: shown as it is


def test_the_labels_are_in_the_translation_catalogue_and_translated():
    from samenspel.catalogue import extract_messages
    from samenspel.i18n import set_language
    from samenspel.web.ui import status_label

    extracted = extract_messages()
    assert all(word in extracted for word in lc.LABELS.values())
    set_language("nl")
    assert status_label(lc.AGREED) == "afgesproken"
    assert status_label("matched") == "gematcht"  # a need's status, not the lifecycle's


def test_the_module_uses_the_standard_library_only():
    source = Path(lc.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    import sys

    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
