"""The engine is pure: importing it pulls in no streamlit, sqlmodel, database driver or any
other part of Samenspel (only the package root and its list of data paths)."""

import subprocess
import sys

FORBIDDEN = ("streamlit", "sqlmodel", "sqlalchemy", "psycopg")
ALLOWED_OWN = ("samenspel", "samenspel.paths")


def test_matching_imports_no_app_or_database_module():
    code = (
        "import sys, pkgutil, importlib, samenspel.matching as matching\n"
        "for m in pkgutil.iter_modules(matching.__path__):\n"
        "    importlib.import_module('samenspel.matching.' + m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in "
        f"{FORBIDDEN!r} or (n.startswith('samenspel') and n not in {ALLOWED_OWN!r} "
        "and not n.startswith('samenspel.matching'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
