"""Benchmark: hand-written Python, bare durable-rules, and pathrules on both engines, in one process.

Not a test. Prints evaluations per second for each arm, the ratios against the hand-written baseline
(run in the same process, because these machines are noisy), and resident memory sampled through
each arm so that a leak shows as growth. Usage:

    .venv/bin/python bench/run.py --evaluations 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import pathrules  # noqa: E402
from pathrules.durations import elapsed  # noqa: E402

AS_OF = dt.date(2026, 11, 23)
POLICY = ROOT / "policies" / "howard-league-service-b.yaml"


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 1048576


def make_records(count: int, seed: int = 7) -> list[pathrules.Record]:
    rng = random.Random(seed)
    day = lambda span: AS_OF - dt.timedelta(days=rng.randint(0, span))  # noqa: E731
    out = []
    for i in range(count):
        data: dict[str, Any] = {
            "person": f"p{i}",
            "date_of_birth": dt.date(rng.randint(1960, 2010), rng.randint(1, 12), rng.randint(1, 28)),
            "substance_use": [{"substance": "illicit-drugs", "last_use": day(200)}, {"substance": "alcohol", "last_use": day(100)}],
            "vetting": [{"scheme": "dbs", "level": rng.choice(["basic", "standard", "enhanced"]), "applied_on": day(60), "documents_verified": rng.random() < 0.8}],
            "references": [{"requested_on": day(60), "received_on": day(30) if rng.random() < 0.7 else None}],
        }
        out.append(pathrules.load_record(data))
    return out


# ---- arm 1: the same five checks, hand-written -------------------------------------------------


def hand_written(record: pathrules.Record) -> tuple[bool, ...]:
    def last(substance: str) -> dt.date | None:
        dates = [u.last_use for u in record.substance_use if u.substance == substance and u.last_use <= AS_OF]
        return max(dates) if dates else None

    drugs, alcohol = last("illicit-drugs"), last("alcohol")
    free = drugs is not None and elapsed(drugs, AS_OF, "days") >= 30
    alcohol_free = alcohol is not None and elapsed(alcohol, AS_OF, "weeks") >= 4
    adult = record.date_of_birth is not None and elapsed(record.date_of_birth, AS_OF, "years") >= 18
    levels = {"basic": 1, "standard": 2, "enhanced": 3, "enhanced_barred": 4}
    dbs = any(c.scheme == "dbs" and levels[c.level] >= 2 and c.applied_on and c.applied_on <= AS_OF and c.documents_verified for c in record.vetting)
    refs = sum(1 for r in record.references if r.received_on and r.received_on <= AS_OF) >= 1
    return free, alcohol_free, adult, dbs, refs


# ---- arm 2: bare durable-rules with the same rules, facts derived by hand -------------------------


def bare_durable() -> Callable[[pathrules.Record], int]:
    from durable import engine

    class Quiet(engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

    fired: list[str] = []
    act = lambda name: (lambda c: fired.append(name))  # noqa: E731
    rules = {
        "free": {"all": [{"m": {"$and": [{"q": "free"}, {"$gte": {"days": 30}}]}}], "run": act("free")},
        "alcohol": {"all": [{"m": {"$and": [{"q": "alcohol"}, {"$gte": {"weeks": 4}}]}}], "run": act("alcohol")},
        "adult": {"all": [{"m": {"$and": [{"q": "adult"}, {"$gte": {"years": 18}}]}}], "run": act("adult")},
        "dbs": {"all": [{"m": {"$and": [{"q": "dbs"}, {"applied": 1}]}}], "run": act("dbs")},
        "refs": {"all": [{"m": {"$and": [{"q": "refs"}, {"$gte": {"count": 1}}]}}], "run": act("refs")},
        "seen": {"all": [{"m": {"$ex": {"q": 1}}}], "run": act("seen")},
    }
    host = Quiet()
    host.register_rulesets({"bench_bare": rules})
    sessions = itertools.count(1)

    def run(record: pathrules.Record) -> int:
        free, alcohol_free, adult, dbs, refs = hand_written(record)  # the same derivations, then the engine decides
        sid = str(next(sessions))
        facts = [
            {"sid": sid, "q": "free", "days": 30 if free else 0},
            {"sid": sid, "q": "alcohol", "weeks": 4 if alcohol_free else 0},
            {"sid": sid, "q": "adult", "years": 18 if adult else 0},
            {"sid": sid, "q": "dbs", "applied": int(dbs)},
            {"sid": sid, "q": "refs", "count": int(refs)},
        ]
        fired.clear()
        try:
            host.assert_facts("bench_bare", facts)
        finally:
            host.delete_state("bench_bare", sid)
        return len(fired)

    return run


def measure(name: str, fn: Callable[[pathrules.Record], Any], records: list[pathrules.Record], count: int) -> tuple[float, list[float]]:
    samples = []
    step = max(1, count // 10)
    start = time.perf_counter()
    for i in range(count):
        fn(records[i % len(records)])
        if i % step == 0:
            samples.append(rss_mib())
    seconds = time.perf_counter() - start
    samples.append(rss_mib())
    rate = count / seconds
    print(f"{name:<28} {count:>9,} evals in {seconds:8.1f} s  {rate:>10,.0f}/s   RSS MiB {samples[0]:.0f} -> {max(samples):.0f} (end {samples[-1]:.0f})", flush=True)
    return rate, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=1_000_000, help="evaluations per arm")
    parser.add_argument("--records", type=int, default=5000, help="distinct generated records, cycled")
    args = parser.parse_args()
    policy = pathrules.load_policy(POLICY)
    records = make_records(args.records)
    python_engine = pathrules.Evaluator(policy, engine="python")
    durable_engine = pathrules.Evaluator(policy, engine="durable")
    # the arms must agree before they are timed
    for record in records[:500]:
        a, b = python_engine.evaluate(record, "peer-mentor", as_of=AS_OF), durable_engine.evaluate(record, "peer-mentor", as_of=AS_OF)
        assert a.comparable() == b.comparable()
    print(f"python {sys.version.split()[0]}, {args.evaluations:,} evaluations per arm over {len(records):,} generated records, policy {policy.id}")
    rates = {}
    rates["hand-written python"], _ = measure("hand-written python", hand_written, records, args.evaluations)
    rates["bare durable-rules"], _ = measure("bare durable-rules", bare_durable(), records, args.evaluations)
    rates["pathrules (python engine)"], _ = measure("pathrules (python engine)", lambda r: python_engine.evaluate(r, "peer-mentor", as_of=AS_OF), records, args.evaluations)
    rates["pathrules (durable-rules)"], _ = measure("pathrules (durable-rules)", lambda r: durable_engine.evaluate(r, "peer-mentor", as_of=AS_OF), records, args.evaluations)
    base = rates["hand-written python"]
    print("\nratios against hand-written python (same process):")
    for name, rate in rates.items():
        print(f"  {name:<28} {rate / base:8.4f}x")
    print(f"  pathrules durable / bare durable  {rates['pathrules (durable-rules)'] / rates['bare durable-rules']:8.4f}x")
    print(f"  pathrules durable / pathrules python  {rates['pathrules (durable-rules)'] / rates['pathrules (python engine)']:8.4f}x")


if __name__ == "__main__":
    main()
