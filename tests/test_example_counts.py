"""Every property runs more examples under the release profile (HYPOTHESIS_PROFILE=release).

A property with a hard-coded ``max_examples=N`` runs N examples whatever the profile, so the long
release run documented in docs/cli.md would quietly check nothing more than CI does.
"""

from __future__ import annotations

import re
from pathlib import Path


from example_counts import FACTOR, examples

TESTS = Path(__file__).parent


def test_no_property_hard_codes_its_example_count() -> None:
    fixed = [
        f"{path.name}:{number}"
        for path in sorted(TESTS.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"max_examples=\d", line)
    ]
    assert fixed == [], "use max_examples=examples(N) from tests/example_counts.py"


def test_the_release_factor_multiplies_every_count() -> None:
    import example_counts

    assert examples(25) == 25 * FACTOR
    assert example_counts.factor_for("release", None) == 20 and example_counts.factor_for("ci", None) == 1
    assert example_counts.factor_for("ci", "3") == 3
