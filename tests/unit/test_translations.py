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
