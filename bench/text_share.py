"""How much of a decision's cost is its text: the Python engine against zen-engine (no trace), with
and without every text writer of the evaluator (the kinds' ``explain``, the person's sentences, the
summary and the letter), in interleaved rounds. Not a test and not a mode of pathrules: the writers
are replaced in this process only, to bound what writing text on demand could gain (bench/README.md).

    .venv/bin/python bench/text_share.py [--records 300] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import pathrules  # noqa: E402
import peers  # noqa: E402
import thesis  # noqa: E402
from pathrules.evaluation import evaluate as evaluation  # noqa: E402
from pathrules.kinds import base  # noqa: E402
from thesis import AS_OF, ROLE  # noqa: E402


class _Unchanged:
    """The person's words left as written."""

    def __init__(self, *_: Any) -> None:
        pass

    def __call__(self, text: str) -> str:
        return text


def _kinds(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _kinds(sub)


def _without_text(on: bool, saved: dict[Any, Any]) -> None:
    """Replace (on) or restore (off) the writers."""
    if not saved:
        saved.update({"letter_for": evaluation.letter_for, "sentence_for": evaluation.sentence_for, "summary": evaluation.summary, "Plain": evaluation.Plain})
        saved.update({kind: kind.__dict__["explain"] for kind in _kinds(base.Kind) if "explain" in kind.__dict__})
    for key, value in saved.items():
        if isinstance(key, str):
            setattr(evaluation, key, value if not on else {"letter_for": lambda *a: None, "sentence_for": lambda *a: None, "summary": lambda *a: "", "Plain": _Unchanged}[key])
        else:
            key.explain = value if not on else (lambda self, *a: ("", None))


def _rate(fn: Callable[[Any], Any], records: list[Any]) -> float:
    start = time.perf_counter()
    for record in records:
        fn(record)
    return len(records) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    evaluator = pathrules.Evaluator(pathrules.load_policy(ROOT / "bench" / "thesis-policy.yaml"), engine="python")
    records = thesis.make_records(args.records)
    zen = peers.zen_contender()
    decide = lambda r: thesis.of_decision(evaluator.evaluate(r, ROLE, as_of=AS_OF))  # noqa: E731
    saved: dict[Any, Any] = {}
    ratios: dict[str, list[float]] = {"with text": [], "without text": []}
    for _ in range(args.rounds):
        against = _rate(zen, records)
        for name, off in (("with text", False), ("without text", True)):
            _without_text(off, saved)
            ratios[name].append(_rate(decide, records) / against)
    _without_text(False, saved)
    for name, values in ratios.items():
        print(f"python engine / zen-engine no trace, {name:<13} median {statistics.median(values):.2f}  rounds {', '.join(f'{v:.2f}' for v in values)}")
    gain = [without / with_ for with_, without in zip(ratios["with text"], ratios["without text"])]
    print(f"without text / with text, within each round: median {statistics.median(gain):.2f}  rounds {', '.join(f'{v:.2f}' for v in gain)}")


if __name__ == "__main__":
    main()
