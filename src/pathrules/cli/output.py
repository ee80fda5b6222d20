"""How the CLI decides on colour, keeps untrusted text from steering the terminal, and small shared argument parsers."""

from __future__ import annotations

import argparse
from collections.abc import Callable
import math
import datetime as _dt
import os
import re
from typing import Any, TextIO, cast


def use_color(stream: TextIO, no_color: bool) -> bool:
    """Colour only on a terminal, never when piped, never with --no-color or NO_COLOR set."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def parse_date(text: str) -> _dt.date:
    """A `YYYY-MM-DD` date, as records and policies write them (not `20261101`, not a date-time)."""
    from pathrules.policy.fields import parse_date as strict_date

    try:
        return strict_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-01-31, got `{text}`") from None


def number_option(expected: str, fits: Callable[[float], bool]) -> Callable[[str], float]:
    """An argparse type: a finite number for which ``fits`` holds, else a usage error saying ``expected``
    (`nan`, `inf` and words are refused, so no gate or limit is quietly switched off)."""

    def read(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not fits(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got `{text}`")
        return value

    return read


seconds = number_option("a number of seconds, 0 or more", lambda value: value >= 0)
percent = number_option("a percentage from 0 to 100", lambda value: 0 <= value <= 100)
megabytes = number_option("a number of megabytes above 0 and up to 1000", lambda value: 0 < value <= 1000)


def hours(text: str) -> str:
    """Hours worked in a day, written plainly (`3.5`, `7`): digits and one point, 0 to 24."""
    if not re.fullmatch(r"[0-9]{1,2}(\.[0-9]{1,2})?", text, re.ASCII) or float(text) > 24:
        raise argparse.ArgumentTypeError(f"expected hours from 0 to 24 such as 3.5, got `{text}`")
    return text


MAX_JOBS = 64


def worker_count(text: str) -> int:
    """How many worker processes: a whole number from 1 to MAX_JOBS (each is a full interpreter)."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_JOBS}, got `{text}`")
    return int(text)


# ---- terminal safety (issue 15, D22) -----------------------------------------------------------------
#
# Person ids, --by names, file and column names come from users. Written raw, an escape sequence or a
# carriage return in one of them can move the cursor and overwrite the verdict line, and bidi controls
# can reorder what is shown. Every stream the CLI writes to is wrapped in TerminalSafe, which shows
# such characters as visible escapes (`\x1b`, `\r`, `\u202e`); inside JSON strings those spellings
# mean the same character, so JSON output stays valid and equal. Our own colour (SGR, `ESC[...m`)
# passes only when the stream is a terminal, the only time the CLI colours anything.

_UNSAFE = re.compile(
    "\x1b\\[[0-9;]*m"  # an SGR colour sequence, kept on a terminal
    "|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x7F else f"\\u{code:04x}"  # never raw in JSON below 0x7f; \\u is JSON above


def visible(text: str, *, keep_color: bool = False) -> str:
    """Text with control, bidi and lone-surrogate characters shown as escapes (newline and tab kept)."""

    def replace(match: re.Match[str]) -> str:
        found = match.group()
        if len(found) > 1:
            return found if keep_color else "".join(_escape(c) for c in found)
        return _escape(found)

    return _UNSAFE.sub(replace, text)


class TerminalSafe:
    """A text stream that neutralises control characters from untrusted values before they are shown."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        isatty = getattr(stream, "isatty", None)
        self._keep_color = bool(isatty and isatty())

    @property
    def trusted(self) -> TextIO:
        """The underlying stream, for text made entirely by pathrules (the progress bar's `\\r`)."""
        return self._stream

    def write(self, text: str) -> int:
        return self._stream.write(visible(text, keep_color=self._keep_color))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def terminal_safe(stream: TextIO) -> TextIO:
    return stream if isinstance(stream, TerminalSafe) else cast(TextIO, TerminalSafe(stream))


def trusted(stream: TextIO) -> TextIO:
    return stream.trusted if isinstance(stream, TerminalSafe) else stream
