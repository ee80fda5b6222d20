"""Server-rendered HTML: one Jinja2 environment with autoescaping on, and the context every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pathrules._version import __version__

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True, lstrip_blocks=True)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = getattr(request.state, "session", None)
    base = {"account": getattr(request.state, "account", None), "csrf": session.csrf if session else "", "version": __version__}
    return HTMLResponse(_env.get_template(template).render(**base, **context), status_code=status)
