"""`pathrules serve`: the web pages and HTTP API (needs the `web` extra: pip install 'pathrules[web]')."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from pathrules.cli.output import megabytes

DEFAULT_USERS = "pathrules-users.json"


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    serve = sub.add_parser("serve", help="serve the web pages and the HTTP API (loopback only unless TLS is configured)")
    serve.add_argument("--policies", required=True, metavar="PATH", help="a policy file or a folder of policies")
    serve.add_argument("--audit", required=True, metavar="DB", help="the audit database every decision is stored in")
    serve.add_argument("--users", default=DEFAULT_USERS, metavar="FILE", help=f"the accounts file (default {DEFAULT_USERS}; see `pathrules users`)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--tls-cert", metavar="PEM", help="TLS certificate: serve HTTPS (session cookies are then Secure)")
    serve.add_argument("--tls-key", metavar="PEM", help="TLS private key")
    serve.add_argument("--insecure-bind", action="store_true", help="allow a non-loopback address without TLS (only behind a TLS proxy)")
    serve.add_argument("--behind-https-proxy", action="store_true", help="mark session cookies Secure: a proxy in front terminates TLS")
    serve.add_argument(
        "--trusted-proxy", metavar="ADDRESS",
        help="the proxy in front (e.g. 127.0.0.1): its X-Forwarded-For names the client, so sign-in limits count each client apart; without it no forwarded header is believed",
    )  # fmt: skip
    serve.add_argument("--max-upload-mb", type=megabytes, default=2.0, metavar="MB", help="largest upload accepted (default 2)")
    serve.add_argument("--max-rows", type=int, default=5000, metavar="N", help="most rows in one uploaded spreadsheet (default 5000)")
    serve.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    serve.set_defaults(handler=run_serve)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, tls: bool, insecure: bool) -> str | None:
    """Why binding ``host`` is refused, or None: off loopback, only with TLS or --insecure-bind."""
    if is_loopback(host) or tls or insecure:
        return None
    return (
        f"pathrules serve: refusing to bind {host}: it is not a loopback address and TLS is not configured\n"
        "  give --tls-cert and --tls-key, or --insecure-bind if a TLS proxy is in front of this server\n"
    )


def run_serve(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    tls = bool(args.tls_cert and args.tls_key)
    if bool(args.tls_cert) != bool(args.tls_key):
        stderr.write("pathrules serve: give both --tls-cert and --tls-key\n")
        return 2
    refusal = bind_refusal(args.host, tls, args.insecure_bind)
    if refusal:
        stderr.write(refusal)
        return 2
    try:
        import uvicorn

        from pathrules.web import Settings, create_app
    except ImportError as err:
        stderr.write(f"pathrules serve: the web extra is not installed ({err.name}); pip install 'pathrules[web]'\n")
        return 2
    settings = Settings(
        policies=Path(args.policies), audit=Path(args.audit), users=Path(args.users), max_upload_bytes=int(args.max_upload_mb * 1_000_000),
        max_batch_rows=args.max_rows, https=tls or args.behind_https_proxy, engine=args.engine,
    )  # fmt: skip
    app = create_app(settings)  # a broken policy is refused here, with located errors (exit 1)
    if not Path(args.users).exists():
        stderr.write(f"pathrules serve: no accounts yet in {args.users}; add one with `pathrules users add NAME --role coordinator --file {args.users}`\n")
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    scheme = "https" if tls else "http"
    stderr.write(f"pathrules serve: {scheme}://{args.host}:{args.port}/ (policies {args.policies}, audit {args.audit})\n")
    uvicorn.run(
        app, host=args.host.strip("[]"), port=args.port, ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key, access_log=False, server_header=False,
        log_config=None,
        # the client is the connection's address unless a proxy is named: a forwarded-for header from anyone else could dodge the sign-in limits
        proxy_headers=bool(args.trusted_proxy), forwarded_allow_ips=args.trusted_proxy or "",
    )  # fmt: skip
    return 0
