"""What one server needs to know: where the policies, the audit store and the accounts are, and its limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    policies: Path
    audit: Path
    users: Path
    max_upload_bytes: int = 2_000_000
    max_batch_rows: int = 5_000
    max_api_batch: int = 500
    https: bool = False  # set when TLS is configured: session cookies then carry `Secure`
    session_idle_minutes: int = 480
    engine: str = "auto"
