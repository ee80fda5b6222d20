"""How the CLI decides on colour, and small shared argument parsers."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
from typing import TextIO


def use_color(stream: TextIO, no_color: bool) -> bool:
    """Colour only on a terminal, never when piped, never with --no-color or NO_COLOR set."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def parse_date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-01-31, got `{text}`") from None
