"""How `validate`, `lint` and `test` print diagnostics: one text form and one JSON form for all three."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from pathrules.errors import Diagnostic, best_first


def write_diagnostics(diagnostics: Sequence[Diagnostic], stdout: TextIO, text_stream: TextIO, *, as_json: bool, valid: bool | None = None) -> None:
    """Best first. Text: one ``file:line:column: severity[code]: path: message`` line each (and a
    ``help:`` line) on ``text_stream``. JSON on stdout: ``{"valid": ..., "problems": [...]}``."""
    ordered = best_first(diagnostics)
    if as_json:
        report = {"valid": (not ordered) if valid is None else valid, "problems": [d.to_dict() for d in ordered]}
        stdout.write(json.dumps(report, indent=2) + "\n")
        return
    for diagnostic in ordered:
        text_stream.write(str(diagnostic) + "\n")
