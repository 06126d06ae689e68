"""Where the files that ship inside the package live (standard library only: the engine uses it)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
