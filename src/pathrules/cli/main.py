"""The `pathrules` command: a thin layer that reads arguments, calls the library and presents results.

Exit codes (also in `pathrules --help` and docs/cli.md):

    0   success: valid, decided, tests passed
    1   bad input: a policy, record or file that does not load (located errors on stderr),
        or policy tests / audit verification that failed; or a file that cannot be read or
        written (a full disk, a read-only audit store)
    2   usage error: unknown command or option, missing argument
    3   internal or engine error (a bug: please report it)
    4   `batch` stopped part-way; OUTPUT.partial holds the rows decided so far
  130   interrupted by SIGINT (143: SIGTERM)
   20-24 with `check --exit-code`: 20 conditional, 21 pending, 22 not_yet, 23 review, 24 ineligible
        (eligible exits 0)
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from pathrules._version import __version__
from pathrules.errors import EngineError, EvaluationError, InputError, PathrulesError
from pathrules.vocabulary import OUTCOMES

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
OUTCOME_EXIT = {outcome: words.exit_code for outcome, words in OUTCOMES.items()}

EPILOG = """exit codes:
  0      success (valid, decided, tests passed)
  1      bad input: a policy, record or file that does not load; failed policy tests or audit checks;
         a file that cannot be read or written (a full disk, a read-only audit store)
  2      usage error
  3      internal or engine error
  4      `batch` stopped part-way (disk full, workers lost): OUTPUT.partial holds the rows so far
  130    interrupted (SIGINT; 143 for SIGTERM); `batch` keeps the rows so far in OUTPUT.partial
  20-24  with `check --exit-code`: conditional, pending, not_yet, review, ineligible (eligible is 0)

Docs: docs/cli.md. Set PATHRULES_DEBUG=1 to see tracebacks of internal errors."""

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so `run` can return the usage exit code."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}\n{self.format_usage()}")


class _UsageError(Exception):
    pass


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``'s command (only its module is imported), or for every command."""
    from pathrules.cli import commands

    parser = _Parser(
        prog="pathrules",
        description="Eligibility and progression decisions for peer roles, from YAML policies.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pathrules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.register(sub, argv)
    return parser


def run(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    from pathrules.cli.output import terminal_safe

    stdout, stderr = terminal_safe(stdout), terminal_safe(stderr)  # no escape sequence from input reaches a terminal
    parser = build_parser(argv)
    try:
        with contextlib.redirect_stdout(stdout):  # --help and --version print to our stdout
            args = parser.parse_args(list(argv))
    except _UsageError as err:
        stderr.write(str(err))
        return EXIT_USAGE
    except SystemExit as exit_:  # --help and --version
        return int(exit_.code or 0)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(stdout)
        return EXIT_USAGE
    try:
        return handler(args, stdout, stderr)
    except InputError as err:
        stderr.write(str(err) + "\n")
        return EXIT_INPUT
    except EvaluationError as err:
        stderr.write(f"pathrules: error: {err}\n")
        return EXIT_INPUT
    except EngineError as err:
        stderr.write(f"pathrules: engine error: {err}\n")
        return EXIT_INTERNAL
    except PathrulesError as err:
        stderr.write(f"pathrules: error: {err}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        stderr.write("pathrules: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as err:  # the machine, not pathrules: a full disk, a file or folder that cannot be written
        if os.environ.get("PATHRULES_DEBUG"):
            raise
        where = f"{err.filename}: " if err.filename else ""
        stderr.write(f"pathrules: error: {where}{err.strerror or type(err).__name__}\n")
        return EXIT_INPUT
    except Exception as err:  # noqa: BLE001 - never a traceback for users
        if type(err).__module__ == "sqlite3" and type(err).__name__ in ("OperationalError", "DatabaseError") and not os.environ.get("PATHRULES_DEBUG"):  # e.g. a read-only audit store
            stderr.write(f"pathrules: error: the audit store failed: {err}\n")
            return EXIT_INPUT
        if os.environ.get("PATHRULES_DEBUG"):
            raise
        stderr.write(f"pathrules: internal error: {type(err).__name__}: {err}\n(set PATHRULES_DEBUG=1 for details; please report it)\n")
        return EXIT_INTERNAL


def main() -> None:
    # A crash inside the native rule engine then prints a "Fatal Python error" and where it happened,
    # instead of a silent exit 139 (numbers it cannot parse are refused before it; see docs/engine.md).
    faulthandler.enable()
    code = run(sys.argv[1:], sys.stdout, sys.stderr)
    try:
        sys.stdout.flush()  # here, not at exit, where a full disk would end in "Exception ignored"
    except BrokenPipeError:
        os._exit(code)
    except OSError as err:
        sys.stderr.write(f"pathrules: error: cannot write the output: {err.strerror or type(err).__name__}\n")
        sys.stderr.flush()
        os._exit(EXIT_INPUT)  # the unwritten output would fail again at exit
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
