"""requirements.lock pins every direct dependency within the bounds pyproject.toml declares, so
installing with it as constraints (.ci/run) installs what the bounds promise."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def direct_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    return [Requirement(line) for line in lines]


def pins(text: str) -> dict[str, Version]:
    return {canonicalize_name(name): Version(version) for name, version in PIN.findall(text)}


def problems(requirements: list[Requirement], pinned: dict[str, Version]) -> list[str]:
    found = []
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name not in pinned:
            found.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(pinned[name], prereleases=True):
            found.append(f"{requirement.name}=={pinned[name]} is outside {requirement.specifier}")
    return found


def test_the_lock_pins_every_direct_dependency_within_its_bounds():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert problems(direct_requirements(), pins(lock)) == []


@pytest.mark.parametrize(
    "lock, expected",
    [
        ("numpy==2.1.0 \\\n    --hash=sha256:ab\n", []),
        ("", ["numpy is not in requirements.lock"]),
        ("numpy==1.26.4\n", ["numpy==1.26.4 is outside >=2.0"]),
        ("NumPy==2.1.0\n", []),  # names compare after normalising, as pip does
    ],
)
def test_the_check_itself_finds_a_missing_or_out_of_bounds_pin(lock, expected):
    assert problems([Requirement("numpy>=2.0")], pins(lock)) == expected


def test_extras_and_spelling_of_names_do_not_hide_a_pin():
    pinned = pins("streamlit==1.67.0\nreverse-geocode==1.6.6\npsycopg-binary==3.3.9\n")
    requirements = [Requirement(r) for r in ("streamlit[auth]>=1.67", "reverse_geocode>=1.6.6")]
    assert problems(requirements, pinned) == []
    assert problems([Requirement("psycopg[binary]>=3.1")], pinned) == [
        "psycopg is not in requirements.lock"
    ]
