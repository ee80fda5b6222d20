"""How many examples a hypothesis property runs: its CI count times the profile's factor.

``HYPOTHESIS_PROFILE=release`` (see conftest.py and docs/cli.md) multiplies every count by 20;
``PATHRULES_EXAMPLES_FACTOR=N`` sets the factor directly (e.g. 100 for an overnight run). A property
writes ``@settings(max_examples=examples(25), ...)``, never a bare number, so that the release run
checks more than CI does (tests/test_example_counts.py holds every test file to that).
"""

from __future__ import annotations

import os

RELEASE_FACTOR = 20


def factor_for(profile: str, override: str | None) -> int:
    if override:
        return max(1, int(override))
    return RELEASE_FACTOR if profile == "release" else 1


FACTOR = factor_for(os.environ.get("HYPOTHESIS_PROFILE", "ci"), os.environ.get("PATHRULES_EXAMPLES_FACTOR"))


def examples(ci_count: int) -> int:
    """``ci_count`` examples in CI, ``FACTOR`` times as many under the release profile."""
    return ci_count * FACTOR
