"""One line of the benchmark's table: the part that measured it, what was measured, the ratio (or count), the
target and whether it was missed. Every part of the benchmark returns these; bench/run.py, the entry point, gathers
them into the table (and is the only module that imports the parts)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    part: str
    measure: str
    value: float | str
    target: str = ""
    missed: bool = False
