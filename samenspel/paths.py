"""Where the files that ship inside the package live (standard library only: the engine uses it)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
LOCALE_DIR = PACKAGE_DIR / "locale"
FONTS_DIR = DATA_DIR / "fonts"  # DejaVu, for the matchmarkt's PDFs (its licence is there)
MIGRATIONS_DIR = PACKAGE_DIR / "storage" / "migrations"
