"""Every subcommand, registered from the module that owns it."""

from __future__ import annotations

import argparse
from typing import Any

from pathrules.cli import cmd_audit, cmd_authoring, cmd_batch, cmd_check, cmd_entitlements, cmd_explore, cmd_policy, cmd_serve, cmd_users


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    for module in (cmd_policy, cmd_check, cmd_entitlements, cmd_batch, cmd_explore, cmd_audit, cmd_authoring, cmd_serve, cmd_users):
        module.register(sub)
