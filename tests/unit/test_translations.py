"""Every user-facing string has a Dutch source and an English translation."""

from samenspel.catalogue import extract_messages, read_catalogue


def test_every_message_in_the_code_has_an_english_translation():
    catalogue = read_catalogue()
    missing = sorted(
        m for m in extract_messages() if not (catalogue.get(m) and catalogue.get(m).string)
    )
    assert missing == [], (
        f"{len(missing)} messages lack English; run python -m samenspel.catalogue and translate"
    )


def test_placeholders_survive_translation():
    catalogue = read_catalogue()
    import re

    for message in catalogue:
        if message.id and message.string:
            assert sorted(re.findall(r"{\w+(?::[^}]*)?}", message.id)) == sorted(
                re.findall(r"{\w+(?::[^}]*)?}", message.string)
            ), message.id


def test_no_translation_call_hides_inside_an_f_string():
    """Babel cannot see t() inside an f-string, so such a message would never be translated."""
    import re

    from samenspel.catalogue import SOURCES

    hidden = [
        f"{path.name}:{number}"
        for path in SOURCES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"""f(["']).*\{t\(""", line)
    ]
    assert hidden == []


def test_any_placeholder_name_works_even_message():
    from samenspel.i18n import t

    assert t("rij {row}: {message}", row=3, message="fout") == "rij 3: fout"
