"""The engine is pure: importing it pulls in no streamlit, sqlmodel or database driver."""

import subprocess
import sys

FORBIDDEN = ("streamlit", "sqlmodel", "sqlalchemy", "samenspel", "psycopg")


def test_matching_imports_no_app_or_database_module():
    code = (
        "import sys, pkgutil, importlib, matching\n"
        "for m in pkgutil.iter_modules(matching.__path__): importlib.import_module('matching.' + m.name)\n"
        f"print(sorted(n for n in sys.modules if n.split('.')[0] in {FORBIDDEN!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
