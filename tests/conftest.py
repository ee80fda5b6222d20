"""Shared fixtures: the shipped policies and examples, and a fixed "today" for worked scenarios."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import os

import pytest
from hypothesis import HealthCheck, settings

from example_counts import examples

import pathrules
from pathrules.engine import durable_engine

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
EXAMPLES = ROOT / "examples"
AS_OF = dt.date(2026, 11, 23)
DURABLE = durable_engine.available()
needs_durable = pytest.mark.skipif(not DURABLE, reason=durable_engine.IMPORT_ERROR or "")
ENGINES = [pytest.param("python"), pytest.param("durable", marks=needs_durable)]
ENGINE_NAMES = ["python", "durable"] if DURABLE else ["python"]

# No per-example deadline: CI machines are shared and slow at times, and a property is about answers,
# not speed (speed is measured in bench/). `release` runs 20 times the examples before a release,
# also in every property that sets its own count (tests/example_counts.py):
#   HYPOTHESIS_PROFILE=release bash scripts/test
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("release", deadline=None, max_examples=examples(100), suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def shipped_policies() -> list[pathrules.LoadedPolicy]:
    return pathrules.load_policies(POLICIES)


@pytest.fixture(scope="session")
def policies() -> dict[str, pathrules.LoadedPolicy]:
    return {p.id: p for p in shipped_policies()}


@pytest.fixture(scope="session")
def thornbury(policies: dict[str, pathrules.LoadedPolicy]) -> pathrules.LoadedPolicy:
    return policies["thornbury-recovery"]


def inline_policy(policy_id: str, roles: str) -> str:
    """A small test policy's text: the header every policy needs, then ``roles`` (YAML, starting at `roles:`)."""
    return f'policy: {policy_id}\norganisation: A test organisation\nversion: "1"\neffective_from: 2026-01-01\n{roles}'


def example(name: str) -> pathrules.Record:
    return pathrules.load_record(EXAMPLES / f"{name}.yaml")
