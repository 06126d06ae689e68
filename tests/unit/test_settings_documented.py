"""Every setting is documented in the README (a setting nobody can find does not exist)."""

from samenspel.settings import SETTINGS
from tests.conftest import ROOT


def test_every_setting_appears_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in SETTINGS if f"`{name}`" not in readme]
    assert missing == []
