"""`python -m bot caseworker …`: console accounts, made on the server (there is no sign-up page).

    python -m bot caseworker add amina --role supervisor      # asks for the password twice
    printf '%s\n' "$PW" | python -m bot caseworker add amina --password-stdin
    python -m bot caseworker list | passwd NAME | deactivate NAME | activate NAME

A password needs 12 or more characters and must be hard to guess (several unrelated words
work well); a refused one is explained. A new password, deactivating and activating all
sign the account out of the console.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional

from cases import accounts
from cases.policy import ROLES
from cases.state import CaseError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot caseworker", description="caseworker console accounts")
    commands = parser.add_subparsers(dest="action", required=True)
    add = commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="caseworker")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd = commands.add_parser("passwd", help="set a new password (signs the account out)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    for name in ("deactivate", "activate"):
        commands.add_parser(name, help=f"{name} an account (signs it out at once)").add_argument("username")
    commands.add_parser("list", help="list accounts")
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat the password: "):
        raise CaseError("The passwords differ.")
    return first


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    from core.db import upgrade

    upgrade()  # the accounts table must exist, also before the first `make run`
    try:
        if args.action == "add":
            actor = accounts.create(args.username, _password(args.password_stdin), args.role)
            print(f"Created {actor.role} {actor.username!r}.")
        elif args.action == "passwd":
            accounts.set_password(args.username, _password(args.password_stdin))
            print("Password changed; the account was signed out of the console.")
        elif args.action in ("deactivate", "activate"):
            accounts.set_active(args.username, args.action == "activate")
            print(f"{args.username}: {args.action}d.")
        else:
            for worker in accounts.list_all():
                print(f"{worker.username}\t{worker.role}\t{'active' if worker.active else 'inactive'}")
    except CaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
