"""services/records.py maps every declared field onto the tables: each field has its
attribute, with the length the table holds, and a row's values come back from its cells."""

from __future__ import annotations

from datetime import date

import pytest

from samenspel.matching.csvformat import parse_records
from samenspel.matching.fields import CHOICE, CONTACT, KINDS_OF_FILE, ORGANISATION, OWN, REFERENCE
from samenspel.services import records
from samenspel.storage.models import Contact, Need, Offer, Organisation

TABLE_OF = {OWN: None, ORGANISATION: Organisation, CONTACT: Contact}


@pytest.mark.parametrize("kind", list(KINDS_OF_FILE.values()), ids=list(KINDS_OF_FILE))
def test_every_field_is_a_column_of_its_table_with_the_same_length(kind):
    for field in kind.fields:
        if field.type == REFERENCE:
            continue
        table = TABLE_OF[field.on] or records.TABLE_OF_KIND[kind.name]
        column = table.__table__.columns[field.stored_as]
        length = getattr(column.type, "length", None)
        if length is not None and field.type != CHOICE:  # a choice's words are short
            assert field.length == length, f"{kind.name}.{field.column}"


def test_a_row_becomes_cells_that_read_back_as_its_values():
    org = Organisation(id=3, name="De Pan", legal_form="informal", external_id=None)
    need = Need(id=12, organisation_id=3, kind="venue", title="=Zaal", themes="eten;koken",
                slots="di avond; za ochtend", needs_kitchen=True, start_date=date(2027, 3, 1),
                lat=52.1, lon=5.1, people=30, status="matched")  # fmt: skip
    kind = KINDS_OF_FILE["needs"]
    cells = records.cells_of(kind, {OWN: need, ORGANISATION: org})
    assert (cells["id"], cells["organisation_id"], cells["initiative"]) == ("N12", "ORG3", "De Pan")
    assert (cells["themes"], cells["needs_kitchen"], cells["start_date"]) == (
        "eten; koken", "yes", "2027-03-01"
    )  # fmt: skip
    line = ",".join("" if v is None else str(v) for v in cells.values())
    parsed = parse_records(",".join(cells) + "\n" + line + "\n", kind)
    ((_, values),) = parsed.records
    assert values == records.values_of(kind, {OWN: need, ORGANISATION: org})
    copy = Need(organisation_id=3, kind="", title="")
    records.apply(kind, values, {OWN: copy})
    assert {c: getattr(copy, c) for c in ("title", "themes", "slots", "needs_kitchen")} == {
        c: getattr(need, c) for c in ("title", "themes", "slots", "needs_kitchen")
    }


def test_applying_a_file_changes_only_the_columns_it_has():
    offer = Offer(organisation_id=1, kind="venue", title="Zaal", skills="sjouwen", capacity=40)
    values = records.values_of(KINDS_OF_FILE["offers"], {OWN: Offer(kind="goods", title="Tafel"),
                                                         ORGANISATION: Organisation(name="X")})  # fmt: skip
    changed = records.apply(KINDS_OF_FILE["offers"], values, {OWN: offer}, {"id", "kind", "title"})
    assert changed == ["kind", "title"]
    assert (offer.kind, offer.title, offer.skills, offer.capacity) == (
        "goods",
        "Tafel",
        "sjouwen",
        40,
    )


def test_the_engine_sees_a_venues_kitchen_and_no_other_kinds():
    org = Organisation(id=1, name="P", partner_type="venue")
    venue = Offer(id=1, organisation_id=1, kind="venue", title="Zaal", has_kitchen=False,
                  eligible_legal_forms="foundation;association")  # fmt: skip
    goods = Offer(id=2, organisation_id=1, kind="goods", title="Stoelen", has_kitchen=False)
    assert records.offer_in(venue, org).has_kitchen is False
    assert records.offer_in(venue, org).eligible_legal_forms == {"association", "foundation"}
    assert records.offer_in(goods, org).has_kitchen is None
    assert (records.offer_in(venue, org, load=2).partner, records.offer_in(venue, org, 2).load) == (
        "1", 2
    )  # fmt: skip
