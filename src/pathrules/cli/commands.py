"""Every subcommand, registered from the module that owns it.

Only the module of the command being run is imported (each pulls in its own subsystem: audit, batch,
authoring ...), so `pathrules check` does not pay for the others; help and unknown commands load all.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence
from typing import Any

# the modules in the order their commands are listed in `pathrules --help`, with the commands each adds
MODULES: dict[str, tuple[str, ...]] = {
    "cmd_policy": ("validate", "schema"),
    "cmd_check": ("check",),
    "cmd_entitlements": ("entitlements",),
    "cmd_batch": ("batch", "csv-template"),
    "cmd_explore": ("pathways", "roles"),
    "cmd_audit": ("audit",),
    "cmd_authoring": ("test", "lint", "handbook", "diff"),
    "cmd_serve": ("serve",),
    "cmd_users": ("users",),
}
_MODULE_OF = {command: module for module, commands in MODULES.items() for command in commands}


def command_in(argv: Sequence[str] | None) -> str | None:
    """The subcommand named in ``argv`` (the first word that is not an option), if it is a known one."""
    for word in argv or ():
        if not word.startswith("-"):
            return word if word in _MODULE_OF else None
    return None


def register(sub: "argparse._SubParsersAction[Any]", argv: Sequence[str] | None = None) -> None:
    """Register the command ``argv`` names, or every command when it names none that is known."""
    wanted = command_in(argv)
    for name in MODULES if wanted is None else (_MODULE_OF[wanted],):
        importlib.import_module(f"pathrules.cli.{name}").register(sub)
