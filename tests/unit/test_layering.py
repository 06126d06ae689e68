"""The layers import only downwards. Read from the source with `ast` (nothing is imported), so
an import inside a function, under TYPE_CHECKING or through importlib counts as well:

- page files (samenspel/web/views) use no database or map library directly: they go through
  samenspel.web.ui / queries / maps and the services;
- services know nothing of Streamlit or the web layer;
- storage knows nothing of Streamlit, the web layer or the command line;
- the engine (samenspel/matching) uses nothing of Samenspel but samenspel.paths (the runtime
  side of this is tests/unit/test_purity.py);
- the command line knows nothing of Streamlit.

Each rule is its own test and lists every violation as file:line."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

STREAMLIT = ("streamlit", "streamlit_folium")


@dataclass(frozen=True)
class Rule:
    name: str
    files: str  # a glob under the repository root
    forbidden: tuple[str, ...] = ()  # module prefixes that may not be imported
    only_own: tuple[str, ...] = ()  # if set: the only samenspel modules that may be imported
    why: str = ""


RULES = [
    Rule(
        "page files",
        "samenspel/web/views/*.py",
        forbidden=("sqlmodel", "sqlalchemy", "folium", "samenspel.storage"),
        why="pages go through samenspel.web.ui / queries / maps and the services",
    ),
    Rule(
        "services",
        "samenspel/services/**/*.py",
        forbidden=(*STREAMLIT, "samenspel.web"),
        why="use cases run without a web page (command line, jobs)",
    ),
    Rule(
        "storage",
        "samenspel/storage/**/*.py",
        forbidden=(*STREAMLIT, "samenspel.web", "samenspel.cli"),
        why="the database layer is below everything that uses it",
    ),
    Rule(
        "engine",
        "samenspel/matching/**/*.py",
        only_own=("samenspel", "samenspel.paths", "samenspel.matching"),
        why="the engine is pure: files in, suggestions out",
    ),
    Rule(
        "command line",
        "samenspel/cli/**/*.py",
        forbidden=STREAMLIT,
        why="the command line runs without Streamlit",
    ),
]


def module_name(path: Path) -> str:
    """samenspel/web/ui.py -> samenspel.web.ui; a package's __init__.py -> the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, full name) of everything `module`'s source imports. `from a.b import c` gives
    a.b.c (c may be a submodule or a name in a.b: the prefix rules treat both alike)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y, from .. import z
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found += [
                (node.lineno, base if alias.name == "*" else f"{base}.{alias.name}")
                for alias in node.names
            ]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return sorted(found)


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def broken_by(rule: Rule, name: str) -> bool:
    if any(under(name, prefix) for prefix in rule.forbidden):
        return True
    if rule.only_own and under(name, "samenspel"):
        # The package root itself ("import samenspel") is empty: allowed.
        return name != "samenspel" and not any(
            under(name, allowed) for allowed in rule.only_own if allowed != "samenspel"
        )
    return False


def violations(rule: Rule) -> list[str]:
    """One entry per offending import statement: "file:line: imports a.b.c, a.b.d"."""
    found = []
    for path in sorted(ROOT.glob(rule.files)):
        source = path.read_text(encoding="utf-8")
        per_line: dict[int, list[str]] = {}
        for line, name in imports(source, module_name(path), path.name == "__init__.py"):
            if broken_by(rule, name):
                per_line.setdefault(line, []).append(name)
        found += [
            f"{path.relative_to(ROOT)}:{line}: imports {', '.join(names)}"
            for line, names in per_line.items()
        ]
    return found


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_layer_imports_only_what_it_may(rule):
    assert list(ROOT.glob(rule.files)), f"no files match {rule.files}: did the layer move?"
    found = violations(rule)
    assert not found, f"{rule.name}: {rule.why}.\n" + "\n".join(found)


# --- the reader itself: it finds each way of importing, so the rules above can fail ----------

SAMPLE = """
import sqlmodel
import os, streamlit.components.v1 as components
from sqlalchemy import select
from samenspel.storage import db
from samenspel import settings, paths
from . import queries
from ..storage.models import Need
from .maps import *

def later():
    import folium
    importlib.import_module("samenspel.web.ui")
    __import__("samenspel.cli")
"""


def test_the_reader_finds_every_kind_of_import():
    assert imports(SAMPLE, "samenspel.web.views.page") == [
        (2, "sqlmodel"),
        (3, "os"),
        (3, "streamlit.components.v1"),
        (4, "sqlalchemy.select"),
        (5, "samenspel.storage.db"),
        (6, "samenspel.paths"),
        (6, "samenspel.settings"),
        (7, "samenspel.web.views.queries"),
        (8, "samenspel.web.storage.models.Need"),
        (9, "samenspel.web.views.maps"),
        (12, "folium"),
        (13, "samenspel.web.ui"),
        (14, "samenspel.cli"),
    ]
    assert imports("from . import engine", "samenspel.matching", is_package=True) == [
        (1, "samenspel.matching.engine")
    ]


def test_the_rules_tell_allowed_from_forbidden():
    pages, services, _, engine, cli = RULES
    assert broken_by(pages, "samenspel.storage.db") and broken_by(pages, "sqlalchemy.select")
    assert not broken_by(pages, "samenspel.web.ui") and not broken_by(pages, "streamlit_folium")
    assert broken_by(services, "streamlit") and broken_by(services, "samenspel.web.queries")
    assert not broken_by(services, "samenspel.storage.models.Need")
    assert broken_by(engine, "samenspel.settings") and broken_by(engine, "samenspel.storage")
    assert not broken_by(engine, "samenspel.paths.DATA_DIR")
    assert not broken_by(engine, "samenspel.matching.types.Exclusion")
    assert not broken_by(engine, "numpy") and not broken_by(engine, "samenspel")
    assert broken_by(cli, "streamlit.runtime") and not broken_by(cli, "samenspel.services")
    assert not broken_by(pages, "samenspel.storagex")  # a prefix is a whole module name
