import pytest

from samenspel.matching.csvformat import FileError, fatal, parse_needs, parse_offers
from samenspel.matching.geo import Gazetteer, Place

HEADER = "id,initiative,legal_form,kind,title,description,themes,place,lat,lon,people,amount_eur,when,max_distance_km,deadline\n"
OFFER_HEADER = (
    "id,partner,partner_type,kind,title,description,themes,place,lat,lon,capacity,amount_min_eur,"
    "amount_max_eur,when,radius_km,eligible_legal_forms,deadline\n"
)
GAZETTEER = Gazetteer(
    [
        Place("Lombok", 52.092, 5.101, "neighbourhood", "Utrecht"),
        Place("3531", 52.092, 5.101, "postcode", "Utrecht"),
    ]
)


def test_a_good_row_becomes_a_need_with_typed_fields():
    text = (
        HEADER
        + 'n1,De Pan,informal,venue,Plek om te koken,,eten;ontmoeting,,52.1,5.1,30,,"di avond; za ochtend",3,2027-05-01\n'
    )
    (need,), errors = parse_needs(text)
    assert errors == []
    assert (need.id, need.kind, need.people, need.max_distance_km) == ("n1", "venue", 30, 3.0)
    assert need.themes == ("eten", "ontmoeting")
    assert need.slots == frozenset({(1, 2), (5, 0)})
    assert need.deadline.isoformat() == "2027-05-01"


def test_bad_rows_are_reported_with_row_column_and_reason_and_good_rows_kept():
    text = (
        HEADER
        + "n1,A,informal,venue,Goed,,,,52.1,5.1,30,,,,\n"
        + "n2,B,informal,boat,Fout soort,,,,52.1,5.1,,,,,\n"
        + "n3,C,informal,money,Fout bedrag,,,,52.1,5.1,,veel,,,\n"
        + "n4,D,informal,venue,Fout dag,,,,52.1,5.1,,,zondagnacht,,\n"
        + "n5,E,informal,venue,,,,,52.1,5.1,,,,,\n"
        + "n6,F,informal,venue,Onbekende plek,,,Atlantis,,,,,,,\n"
        + "n7,G,informal,venue,Datum,,,,52.1,5.1,,,,,31-02-2027\n"
    )
    needs, errors = parse_needs(text, GAZETTEER)
    assert [n.id for n in needs] == ["n1"]
    assert [(e.row, e.column) for e in errors] == [
        (3, "kind"),
        (4, "amount_eur"),
        (5, "when"),
        (6, "title"),
        (7, "place"),
        (8, "deadline"),
    ]
    assert "boat" in errors[0].message and "venue" in errors[0].message
    assert "Atlantis" in errors[4].message


def test_a_place_is_resolved_offline_when_lat_and_lon_are_empty():
    (need,), errors = parse_needs(HEADER + "n1,A,informal,venue,Plek,,,Lombok,,,,,,,\n", GAZETTEER)
    assert fatal(errors) == []
    assert (need.lat, need.lon) == (52.092, 5.101)
    (need,), _ = parse_needs(HEADER + "n1,A,informal,venue,Plek,,,3531 AB,,,,,,,\n", GAZETTEER)
    assert (need.lat, need.lon) == (52.092, 5.101)


def test_no_place_and_no_coordinates_means_no_location_not_zero_zero():
    (need,), errors = parse_needs(HEADER + "n1,A,informal,money,Geld,,,,,,,500,,,\n")
    assert errors == [] and need.lat is None and need.lon is None


def test_duplicate_ids_and_missing_columns_are_caught():
    _, errors = parse_needs(
        HEADER + "n1,A,informal,venue,X,,,,52,5,,,,,\nn1,A,informal,venue,Y,,,,52,5,,,,,\n"
    )
    assert [(e.row, e.column) for e in errors] == [(3, "id")]
    with pytest.raises(FileError):
        parse_needs("naam,soort\nx,y\n")


def test_offer_rows_check_legal_forms_and_amount_order():
    text = (
        OFFER_HEADER
        + "o1,Fonds,fund,money,Bijdrage,,,,52,5,,250,1500,,,foundation;association,\n"
        + "o2,Fonds,fund,money,Fout,,,,52,5,,900,100,,,,\n"
        + "o3,Fonds,fund,money,Fout,,,,52,5,,,,,,club,\n"
    )
    offers, errors = parse_offers(text)
    assert [o.id for o in offers] == ["o1"]
    assert offers[0].eligible_legal_forms == frozenset({"foundation", "association"})
    assert [(e.row, e.column) for e in errors] == [
        (3, "amount_max_eur"),
        (4, "eligible_legal_forms"),
    ]


def test_unknown_columns_are_a_warning_and_utf8_bom_is_accepted():
    text = "\ufeff" + HEADER.rstrip("\n") + ",extra\nn1,A,informal,venue,X,,,,52,5,,,,,,iets\n"
    needs, errors = parse_needs(text.encode("utf-8"))
    assert len(needs) == 1
    assert [(e.column, e.warning) for e in errors] == [("extra", True)]


def test_a_title_longer_than_its_column_is_a_row_error_not_a_database_crash():
    _, errors = parse_needs(HEADER + "n1,A,informal,goods," + "x" * 201 + ",,,,52,5,,,,,\n")
    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "title", "is langer dan 200 tekens")
    ]


def test_an_unquoted_carriage_return_is_reported_by_row_and_column_and_the_rest_is_read():
    text = (
        HEADER
        + "n1,A,informal,goods,Goed,,,,52.1,5.1,,,,,\n"
        + "n2,B,informal,goods,Titel\rmet CR,,,,52.1,5.1,,,,,\n"
        + 'n3,C,informal,goods,"Binnen\raanhalingstekens mag het",,,,52.1,5.1,,,,,\n'
    )
    needs, errors = parse_needs(text)
    assert [n.id for n in needs] == ["n1", "n3"]
    assert [(e.row, e.column) for e in errors] == [(3, "title")]
    assert "regeleinde" in errors[0].message


def test_numbers_and_dates_out_of_range_are_row_errors():
    rows = {
        "people": ["1e30", "inf", "nan", "-5", "2.5", "100001"],
        "amount_eur": ["1e30", "-1", "Infinity"],
        "max_distance_km": ["1e9", "-3"],
        "deadline": ["9999-12-31", "31-12-99999", "0001-01-01", "1-1-27"],
        "lat": ["1e30", "nan"],
    }
    lines, expected = [], []
    for column, values in rows.items():
        for value in values:
            cells = dict.fromkeys(HEADER.strip().split(","), "")
            cells |= {"id": f"n{len(lines)}", "kind": "venue", "title": "x", "lat": "52.1",
                      "lon": "5.1", column: value}  # fmt: skip
            lines.append(",".join(cells.values()))
            expected.append((len(lines) + 1, column))
    needs, errors = parse_needs(HEADER + "\n".join(lines) + "\n")
    assert needs == []
    assert [(e.row, e.column) for e in errors] == expected
    messages = [e.message for e in errors]
    assert "1e30 is groter dan 100.000" in messages[0]
    assert "ligt niet tussen 1900 en 2100" in messages[expected.index((15, "deadline"))]


def test_themes_are_checked_at_the_length_they_are_stored_with():
    themes = ";".join("a" * 3 for _ in range(120))  # 479 characters, 598 once joined with "; "
    (_, errors) = parse_needs(HEADER + f"n1,A,informal,goods,Titel,,{themes},,52.1,5.1,,,,,\n")
    assert [(e.row, e.column) for e in errors] == [(2, "themes")]


def test_every_slot_of_the_week_does_not_fit_and_says_leave_it_empty():
    (_, errors) = parse_needs(
        HEADER + "n1,A,informal,goods,Titel,,,,52.1,5.1,,,ochtend middag avond,,\n"
    )
    assert [(e.row, e.column) for e in errors] == [(2, "when")]
    assert "leeg" in errors[0].message


def test_clean_text_removes_control_characters_and_keeps_lines_only_where_asked():
    from samenspel.matching.csvformat import clean_text

    typed = "a\x00b\x0bc\x7fd\x85e\ud800f\tg\r\nh\ri\u202ej"
    assert clean_text(typed) == "abcdef g h i\u202ej"
    assert clean_text(typed, multiline=True) == "abcdef\tg\nh\ni\u202ej"


def test_safe_cell_strips_what_excel_cannot_hold_and_neutralises_formulas():
    from samenspel.matching.csvformat import safe_cell

    assert safe_cell("NUL\x00teken\x0b") == "NULteken"
    assert safe_cell("\x00=1+1") == "'=1+1"
    assert safe_cell("\r\n=1+1") == "'\r\n=1+1"
    assert safe_cell("regel\neen") == "regel\neen"


# --- the complete format (version 2) --------------------------------------------------------


def test_a_need_row_of_version_2_fills_every_field_with_its_type():
    from samenspel.matching.csvformat import parse_records
    from samenspel.matching.fields import NEEDS

    text = (",".join(NEEDS.file_columns) + "\n"
            "n1,De Pan,informal,volunteers,Koks,,eten,,52.1,5.1,4,,di avond,3,2027-05-01,"
            "matched,ORG7,JA,nee,\"2,5\",koken; afwassen,01-03-2027,2\n")  # fmt: skip
    parsed = parse_records(text, NEEDS)
    assert parsed.errors == [] and parsed.columns == frozenset(NEEDS.file_columns)
    ((row, values),) = parsed.records
    assert row == 2
    assert (values["status"], values["organisation_id"], values["needs_kitchen"]) == (
        "matched", "ORG7", True
    )  # fmt: skip
    assert (values["needs_step_free"], values["hours_per_week"], values["skills"]) == (
        False, 2.5, "koken; afwassen"
    )  # fmt: skip
    assert values["start_date"].isoformat() == "2027-03-01"
    (need,), _ = parse_needs(text)
    assert need.needs_kitchen is True and need.needs_step_free is False


def test_an_offers_kitchen_is_unknown_when_empty_and_known_when_filled():
    text = (OFFER_HEADER.rstrip("\n") + ",has_kitchen,step_free\n"
            "o1,P,venue,venue,Zaal,,,,52,5,,,,,,,,,\n"
            "o2,P,venue,venue,Zaal,,,,52,5,,,,,,,,no,yes\n")  # fmt: skip
    (unknown, known), errors = parse_offers(text)
    assert errors == []
    assert (unknown.has_kitchen, unknown.step_free) == (None, None)
    assert (known.has_kitchen, known.step_free) == (False, True)


def test_a_flag_that_is_not_yes_or_no_and_an_unknown_status_are_row_errors():
    text = (HEADER.rstrip("\n") + ",needs_kitchen,status\n"
            "n1,A,informal,venue,X,,,,52,5,,,,,,misschien,open\n"
            "n2,A,informal,venue,Y,,,,52,5,,,,,,yes,weg\n")  # fmt: skip
    needs, errors = parse_needs(text)
    assert needs == []
    assert [(e.row, e.column) for e in errors] == [(2, "needs_kitchen"), (3, "status")]
    assert "'misschien' is niet 'yes' of 'no'" in errors[0].message


def test_eligible_legal_forms_are_a_set_in_one_order_however_they_are_written():
    from samenspel.matching.csvformat import parse_records
    from samenspel.matching.fields import OFFERS

    text = OFFER_HEADER + "o1,F,fund,money,Geld,,,,52,5,,,,,,Foundation; association;foundation,\n"
    ((_, values),) = parse_records(text, OFFERS).records
    assert values["eligible_legal_forms"] == ("association", "foundation")


def test_an_organisation_row_takes_its_partner_type_from_its_role_and_checks_its_point():
    from samenspel.matching.csvformat import parse_records
    from samenspel.matching.fields import ORGANISATIONS

    text = ("id,name,role,partner_type,lat,lon,conditions,anbi\n"
            "A,De Pan,initiative,,52.1,5.1,Cohesion; security,ja\n"
            "B,De Boog,partner,,,,,\n"
            "C,Het Gat,partner,venue,52.1,,,\n"
            "D,Iets,partner,,,,geluk,\n")  # fmt: skip
    parsed = parse_records(text, ORGANISATIONS)
    values = {v["id"]: v for _, v in parsed.records}
    assert (values["A"]["partner_type"], values["A"]["conditions"], values["A"]["anbi"]) == (
        "initiative", ("cohesion", "security"), True
    )  # fmt: skip
    assert (values["B"]["partner_type"], values["B"]["anbi"]) == ("business", False)
    assert [(e.row, e.column) for e in parsed.errors] == [(4, "lon"), (5, "conditions")]


def test_a_newer_format_version_refuses_the_file_and_older_or_none_are_read():
    needs, errors = parse_needs(
        HEADER.rstrip("\n") + ",format_version\nn1,A,informal,goods,X,,,,52,5,,,,,,1\n"
    )
    assert len(needs) == 1 and errors == []
    with pytest.raises(FileError, match="versie 3 van het uitwisselformaat"):
        parse_needs(HEADER.rstrip("\n") + ",format_version\nn1,A,informal,goods,X,,,,52,5,,,,,,3\n")
    with pytest.raises(FileError, match="geen versienummer"):
        parse_needs(
            HEADER.rstrip("\n") + ",format_version\nn1,A,informal,goods,X,,,,52,5,,,,,,v2\n"
        )
    # "²" counts as a digit for str.isdigit() but not for int(): still a file error, not a crash.
    with pytest.raises(FileError, match="geen versienummer"):
        parse_needs(HEADER.rstrip("\n") + ",format_version\nn1,A,informal,goods,X,,,,52,5,,,,,,²\n")


def test_cleaning_an_import_takes_off_the_quote_an_export_put_before_a_formula():
    from samenspel.matching.csvformat import safe_cell, sanitise, unguard

    for typed in ("=1+1", "+31 6 1234", "-- twee", "@buurt", "'=al", "''+", "'gewoon", "'", "x"):
        assert unguard(safe_cell(typed)) == typed
    text, _ = sanitise("id,title\nn1,'=SOM(1)\nn2,'niet\n", clean=True)
    assert text.splitlines()[1:] == ["n1,=SOM(1)", "n2,'niet"]
    assert sanitise("id,title\nn1,'=SOM(1)\n")[0].splitlines()[1] == "n1,'=SOM(1)"
