"""`pathrules users`: accounts for `pathrules serve` (password prompted, never on the command line)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

from pathrules.cli.cmd_serve import DEFAULT_USERS

ROLE_NAMES = ("coordinator", "policy-author", "auditor")


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    users = sub.add_parser("users", help="accounts for `pathrules serve`: add, token, list, remove")
    commands = users.add_subparsers(dest="users_command", metavar="ACTION", parser_class=type(users))
    users.set_defaults(handler=lambda a, o, e: (users.print_help(o), 2)[1])

    add = commands.add_parser("add", help="add an account (or reset its password and roles); the password is prompted for")
    add.add_argument("name")
    add.add_argument("--role", action="append", required=True, choices=ROLE_NAMES, help="repeat for several roles")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of standard input (for scripts)")
    add.add_argument("--file", default=DEFAULT_USERS, metavar="FILE")
    add.set_defaults(handler=run_add)

    token = commands.add_parser("token", help="issue an API token for an account (shown once; only its hash is kept)")
    token.add_argument("name")
    token.add_argument("--label", default="", help="what the token is for")
    token.add_argument("--file", default=DEFAULT_USERS, metavar="FILE")
    token.set_defaults(handler=run_token)

    ls = commands.add_parser("list", help="accounts and their roles")
    ls.add_argument("--file", default=DEFAULT_USERS, metavar="FILE")
    ls.set_defaults(handler=run_list)

    rm = commands.add_parser("remove", help="remove an account and its tokens")
    rm.add_argument("name")
    rm.add_argument("--file", default=DEFAULT_USERS, metavar="FILE")
    rm.set_defaults(handler=run_remove)


def _password(args: argparse.Namespace, stderr: TextIO) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass(f"password for {args.name}: ")
        again = getpass.getpass("again: ")
    except EOFError:
        stderr.write("pathrules users: no terminal to ask for the password on; give it on standard input with --password-stdin\n")
        return None
    if again != first:
        stderr.write("pathrules users: the passwords do not match\n")
        return None
    return first


def run_add(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathrules.web.accounts import Accounts, AccountsError

    password = _password(args, stderr)
    if password is None:
        return 1
    try:
        Accounts(args.file).add(args.name, args.role, password)
    except AccountsError as err:
        stderr.write(f"pathrules users: {err}\n")
        return 1
    stdout.write(f"account {args.name} ({', '.join(sorted(set(args.role)))}) saved in {args.file}\n")
    return 0


def run_token(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathrules.web.accounts import Accounts, AccountsError

    try:
        token = Accounts(args.file).new_token(args.name, args.label)
    except AccountsError as err:
        stderr.write(f"pathrules users: {err}\n")
        return 1
    stderr.write("the token is shown once; keep it in the calling system's secret store\n")
    stdout.write(token + "\n")
    return 0


def run_list(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathrules.web.accounts import Accounts, AccountsError

    try:
        accounts = Accounts(args.file)
        for name in accounts.names():
            account = accounts.get(name)
            assert account is not None
            stdout.write(f"{name}  {', '.join(sorted(account.roles))}  ({len(account.token_hashes)} token(s))\n")
    except AccountsError as err:
        stderr.write(f"pathrules users: {err}\n")
        return 1
    return 0


def run_remove(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from pathrules.web.accounts import Accounts, AccountsError

    try:
        Accounts(args.file).remove(args.name)
    except AccountsError as err:
        stderr.write(f"pathrules users: {err}\n")
        return 1
    stdout.write(f"account {args.name} removed\n")
    return 0
