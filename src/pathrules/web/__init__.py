"""`pathrules serve`: pages for coordinators, policy authors and auditors, and an HTTP API, on the library.

Imported only by `pathrules serve`, `pathrules users` (accounts only) and tests: importing `pathrules`
never loads the web stack, and `pathrules.web.accounts` does not load FastAPI either.

    from pathrules.web import Settings, create_app
    app = create_app(Settings(policies=Path("policies"), audit=Path("decisions.db"), users=Path("users.json")))
"""

from __future__ import annotations

from typing import Any

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from pathrules.web.app import create_app

        return create_app
    if name == "Settings":
        from pathrules.web.settings import Settings

        return Settings
    raise AttributeError(name)
