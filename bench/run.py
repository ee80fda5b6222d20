"""Benchmark: pathrules on both engines against its peers, in one run, as ratios.

Not a test. Every contender decides the thesis policy's peer-mentor role over the same generated
records (bench/thesis.py) and must agree with pathrules on every requirement's status and on the
outcome for every record before it is timed. Figures are printed as evaluations per second and as
ratios measured in the same process, because these machines are shared and noisy. Then:

* the two peer targets again, timed in alternating chunks of records (``paired``): the machine's
  speed drifts over seconds, and pairs a fraction of a second apart see the same speed;
* the cost of a record with 1,000 training entries against a typical one, on both engines;
* `pathrules check` wall time against `python -c "import pydantic, yaml"` (repeated runs, median);
* resident memory (RSS) over a long run of evaluations on both engines.

Usage (peers need the optional extra: pip install -e '.[bench]'):

    .venv/bin/python bench/run.py                      # the figures in bench/README.md (medians of interleaved rounds)
    .venv/bin/python bench/run.py --memory-evaluations 1000000
    .venv/bin/python bench/run.py --check-only --check-runs 21   # the `pathrules check` arm alone
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import pathrules  # noqa: E402
import peers  # noqa: E402
import thesis  # noqa: E402
from thesis import AS_OF, ROLE  # noqa: E402

POLICY = ROOT / "bench" / "thesis-policy.yaml"  # the policy of issue 14's figures, fixed (see its header)


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1048576


def seconds(fn: Callable[[Any], Any], records: list[Any]) -> float:
    """Wall seconds of one pass of ``fn`` over the records."""
    gc.collect()
    start = time.perf_counter()
    for record in records:
        fn(record)
    return time.perf_counter() - start


def interleaved(fns: dict[str, Callable[[Any], Any]], records: dict[str, list[Any]], rounds: int) -> list[dict[str, float]]:
    """Evaluations per second of every contender in each round; each round runs every contender once,
    in turn, so a ratio taken within a round compares contenders under the same load."""
    out = []
    for _ in range(rounds):
        out.append({name: len(records[name]) / seconds(fn, records[name]) for name, fn in fns.items()})
    return out


def median_ratio(per_round: list[dict[str, float]], top: str, bottom: str) -> float:
    """The median over rounds of ``top``'s rate over ``bottom``'s, each ratio within one round."""
    return statistics.median(r[top] / r[bottom] for r in per_round)


def paired(top: Callable[[Any], Any], bottom: Callable[[Any], Any], records: list[Any], chunk: int, pairs: int) -> tuple[float, float, float]:
    """``top``'s rate over ``bottom``'s, timed in alternating chunks of ``chunk`` records (who goes
    first alternates too), so that both run within a fraction of a second of each other: the machine's
    speed drifts by tens of percent over seconds, which a whole pass per contender does not cancel.
    Returns the ratio of the summed times, and the lower and upper quartiles of the per-pair ratios."""
    spent = {"top": 0.0, "bottom": 0.0}
    ratios = []
    gc.collect()
    for n in range(pairs):
        part = [records[(n * chunk + i) % len(records)] for i in range(chunk)]
        took = {}
        for side in (("top", "bottom") if n % 2 == 0 else ("bottom", "top")):
            fn = top if side == "top" else bottom
            start = time.perf_counter()
            for record in part:
                fn(record)
            took[side] = time.perf_counter() - start
            spent[side] += took[side]
        ratios.append(took["bottom"] / took["top"])
    quartiles = statistics.quantiles(ratios, n=4)
    return spent["bottom"] / spent["top"], quartiles[0], quartiles[2]


def contenders(evaluators: dict[str, pathrules.Evaluator]) -> dict[str, Callable[[pathrules.Record], Any]]:
    found: dict[str, Callable[[pathrules.Record], Any]] = {"hand-written python": thesis.hand_written}
    try:
        found["zen-engine, no trace"] = peers.zen_contender()
        found["zen-engine, trace"] = peers.zen_contender(trace=True)
    except ImportError:
        print("zen-engine is not installed (pip install -e '.[bench]'): skipped")
    try:
        found["rule-engine"] = peers.rule_engine_contender()
    except ImportError:
        print("rule-engine is not installed (pip install -e '.[bench]'): skipped")
    found["bare durable, fact per record"] = peers.durable_contender(per_requirement=False)
    found["bare durable, fact per requirement"] = peers.durable_contender(per_requirement=True)
    for name, evaluator in evaluators.items():
        found[name] = (lambda ev: lambda r: thesis.of_decision(ev.evaluate(r, ROLE, as_of=AS_OF)))(evaluator)
    found["bare durable, per record, own loop"] = peers.durable_contender(per_requirement=False, own_loop=True)  # for comparison only
    return found


def agree(found: dict[str, Callable[[pathrules.Record], Any]], reference: str, records: list[pathrules.Record]) -> None:
    """Every contender gives every requirement's status and the outcome that pathrules gives."""
    expected = [found[reference](r) for r in records]
    for name, fn in found.items():
        wrong = sum(1 for r, want in zip(records, expected) if fn(r) != want)
        if wrong:
            raise SystemExit(f"{name} disagrees with {reference} on {wrong} of {len(records)} records")
    print(f"all {len(found)} contenders agree on every status and outcome of {len(records):,} records")


def large_record_cost(evaluators: dict[str, pathrules.Evaluator], rounds: int) -> dict[str, tuple[float, float]]:
    """Time per evaluation of a record with 1,000 training entries over a typical one (same records
    otherwise): (decisions read as JSON, decisions read for outcome and statuses); the median of
    interleaved rounds. Each evaluation gets a fresh copy of its record, as a caller evaluating each
    record once does, so nothing cached on a record object (its digest) carries over."""
    typical = thesis.make_records(200, seed=3)
    large = thesis.make_records(200, seed=3, extra_training=1000)
    fns: dict[str, Callable[[Any], Any]] = {}
    inputs: dict[str, list[Any]] = {}
    for name, evaluator in evaluators.items():
        full = lambda r, ev=evaluator: pathrules.to_json(ev.evaluate(r.model_copy(), ROLE, as_of=AS_OF))  # noqa: E731 - read as a caller does
        statuses = lambda r, ev=evaluator: thesis.of_decision(ev.evaluate(r.model_copy(), ROLE, as_of=AS_OF))  # noqa: E731
        for read, fn in (("json", full), ("statuses", statuses)):
            fns[f"{name} {read} typical"], inputs[f"{name} {read} typical"] = fn, typical
            fns[f"{name} {read} large"], inputs[f"{name} {read} large"] = fn, large
    per_round = interleaved(fns, inputs, rounds)
    return {
        name: (median_ratio(per_round, f"{name} json typical", f"{name} json large"), median_ratio(per_round, f"{name} statuses typical", f"{name} statuses large"))
        for name in evaluators
    }


def reading_cost(evaluators: dict[str, pathrules.Evaluator], records: list[pathrules.Record], rounds: int) -> dict[str, float]:
    """What reading a whole decision (its JSON: every reason, sentence, the summary and the letter,
    written on first read) costs over reading its outcome and statuses; the median of interleaved rounds."""
    fns: dict[str, Callable[[Any], Any]] = {}
    for name, evaluator in evaluators.items():
        fns[f"{name} statuses"] = lambda r, ev=evaluator: thesis.of_decision(ev.evaluate(r, ROLE, as_of=AS_OF))
        fns[f"{name} json"] = lambda r, ev=evaluator: pathrules.to_json(ev.evaluate(r, ROLE, as_of=AS_OF))
    per_round = interleaved(fns, {name: records for name in fns}, rounds)
    return {name: median_ratio(per_round, f"{name} statuses", f"{name} json") for name in evaluators}


def check_wall(runs: int) -> tuple[float, float, float, float]:
    """Medians of `pathrules check` and of importing pydantic and PyYAML, alternated: wall seconds
    of each, then CPU seconds (user + system) of each.

    The wall times are issue 14's target. CPU time is printed beside them because on a shared machine
    a run's wall time includes the time it waited for a core. pathrules' bytecode is written first,
    as installing a package does: with PYTHONDONTWRITEBYTECODE set (as on the shared machine) an
    editable install would otherwise compile every module from source on every run, which pydantic
    and PyYAML (installed with their bytecode) never do."""
    import compileall
    import resource

    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    python = sys.executable
    check = [python, "-m", "pathrules.cli.main", "check", "--policy", str(POLICY), "--role", ROLE, "--as-of", AS_OF.isoformat(), str(ROOT / "examples" / "amira.yaml")]
    imports = [python, "-c", "import pydantic, yaml"]
    wall: dict[int, list[float]] = {0: [], 1: []}
    cpu: dict[int, list[float]] = {0: [], 1: []}
    for _ in range(runs):
        for slot, command in enumerate((check, imports)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, check=False)
            wall[slot].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[slot].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode not in (0, 20, 21, 22, 23, 24):
                raise SystemExit(f"{command} failed: {done.stderr.decode()}")
    return statistics.median(wall[0]), statistics.median(wall[1]), statistics.median(cpu[0]), statistics.median(cpu[1])


def print_check_wall(runs: int) -> None:
    check, imports, check_cpu, imports_cpu = check_wall(runs)
    print(f"  pathrules check {check * 1000:.0f} ms / import pydantic, yaml {imports * 1000:.0f} ms  {check / imports:6.2f}x   (target <= 2.5; medians of {runs})")
    print(f"  (CPU time: {check_cpu * 1000:.0f} ms / {imports_cpu * 1000:.0f} ms  {check_cpu / imports_cpu:.2f}x)")


def memory(evaluators: dict[str, pathrules.Evaluator], records: list[pathrules.Record], count: int, read: str = "json") -> None:
    """Resident memory over ``count`` evaluations per engine, each decision read in full (its JSON) or
    for its outcome and statuses only (then its words are never written)."""
    for name, evaluator in evaluators.items():
        samples = []
        step = max(1, count // 10)
        start = time.perf_counter()
        for i in range(count):
            decision = evaluator.evaluate(records[i % len(records)], ROLE, as_of=AS_OF)
            pathrules.to_json(decision) if read == "json" else thesis.of_decision(decision)
            if i % step == 0:
                samples.append(rss_mib())
        samples.append(rss_mib())
        print(f"  {name:<38} {count:>9,} evaluations in {time.perf_counter() - start:7.1f} s   RSS MiB {samples[1]:.1f} -> {samples[-1]:.1f} (max {max(samples):.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000, help="generated records, each evaluated once per round")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (every contender once per round); medians are reported")
    parser.add_argument("--pairs", type=int, default=60, help="alternating chunk pairs for the paired ratios")
    parser.add_argument("--pair-chunk", type=int, default=100, help="records per chunk in the paired ratios")
    parser.add_argument("--check-runs", type=int, default=20, help="runs of `pathrules check` and of the import")
    parser.add_argument("--memory-evaluations", type=int, default=200_000, help="evaluations per engine for the RSS run (0 skips it)")
    parser.add_argument("--memory-read", choices=["json", "statuses"], default="json", help="in the RSS run, read each decision in full (JSON) or its outcome and statuses only")
    parser.add_argument("--memory-only", action="store_true", help="only the RSS run")
    parser.add_argument("--check-only", action="store_true", help="only the `pathrules check` arm (with --check-runs runs)")
    args = parser.parse_args()
    if args.check_only:
        print(f"python {sys.version.split()[0]}, `pathrules check` against `python -c \"import pydantic, yaml\"`, {args.check_runs} alternated runs")
        print_check_wall(args.check_runs)
        return

    policy = pathrules.load_policy(POLICY)
    evaluators = {
        "pathrules python engine, full decision": pathrules.Evaluator(policy, engine="python"),
        "pathrules durable-rules, full decision": pathrules.Evaluator(policy, engine="durable"),
    }
    records = thesis.make_records(args.records)
    if args.memory_only:
        print(f"python {sys.version.split()[0]}, policy {policy.id} role {ROLE}, {len(records):,} generated records")
        print(f"\nmemory ({'to_json of every decision' if args.memory_read == 'json' else 'outcome and statuses of every decision'}):")
        memory(evaluators, records, args.memory_evaluations, args.memory_read)
        return
    print(f"python {sys.version.split()[0]}, policy {policy.id} role {ROLE}, {len(records):,} generated records, {args.rounds} interleaved rounds")
    found = contenders(evaluators)
    agree(found, "pathrules python engine, full decision", records)

    per_round = interleaved(found, {name: records for name in found}, args.rounds)
    rates = {name: statistics.median(r[name] for r in per_round) for name in found}
    base = "hand-written python"
    print(f"\n{'contender':<40} {'evaluations/s':>14} {'vs hand-written':>16}   (medians of {args.rounds} interleaved rounds)")
    for name, value in rates.items():
        print(f"{name:<40} {value:>14,.0f} {median_ratio(per_round, name, base):>15.3f}x")

    python_name, durable_name = list(evaluators)
    print("\ntargets (each ratio taken within a round; the median over rounds, with the range):")

    def line(label: str, top: str, bottom: str, target: str) -> None:
        ratios = [r[top] / r[bottom] for r in per_round]
        print(f"  {label:<58} {statistics.median(ratios):6.2f}x   [{min(ratios):.2f}-{max(ratios):.2f}]  ({target})")

    if "zen-engine, no trace" in rates:
        line("python engine / zen-engine no trace", python_name, "zen-engine, no trace", "target >= 1.5")
    line("durable engine / bare durable per record", durable_name, "bare durable, fact per record", "target >= 0.67")
    line("durable engine / bare durable, both on pathrules' loop", durable_name, "bare durable, per record, own loop", "what pathrules adds to the rules")
    print(f"  paired: the same two, in alternating chunks of {args.pair_chunk} records ({args.pairs} pairs; ratio of summed times, [quartiles of the pairs]):")
    for label, top, bottom, target in (
        ("python engine / zen-engine no trace", python_name, "zen-engine, no trace", "target >= 1.5"),
        ("durable engine / bare durable per record", durable_name, "bare durable, fact per record", "target >= 0.67"),
    ):
        if bottom in found:
            ratio, low, high = paired(found[top], found[bottom], records, args.pair_chunk, args.pairs)
            print(f"  {label:<58} {ratio:6.2f}x   [{low:.2f}-{high:.2f}]  ({target})")
    for name, ratio in reading_cost(evaluators, records[: min(len(records), 2000)], args.rounds).items():
        print(f"  {'decision read in full (JSON) / outcome and statuses, ' + name.split(',')[0]:<58} {ratio:6.2f}x   (what the words cost when read)")
    for name, (as_json, as_statuses) in large_record_cost(evaluators, args.rounds).items():
        print(f"  {'1,000 training entries / typical, ' + name.split(',')[0]:<58} {as_json:6.2f}x   (target <= 3; read as JSON)")
        print(f"  {'':<58} {as_statuses:6.2f}x   (read for outcome and statuses)")
    print_check_wall(args.check_runs)
    if args.memory_evaluations:
        print(f"\nmemory ({'to_json of every decision' if args.memory_read == 'json' else 'outcome and statuses of every decision'}):")
        memory(evaluators, records, args.memory_evaluations, args.memory_read)


if __name__ == "__main__":
    main()
