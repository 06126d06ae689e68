"""What an import tells the person who ran it: how many records it added and updated, and
every row it left out, with row, column and reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from samenspel.matching.csvformat import RowError

Progress = Callable[[float], None]  # told the fraction done, from 0 to 1
# A broker imports only for organisations in their own areas.
OUTSIDE = "hoort bij een organisatie buiten jouw buurten"


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
