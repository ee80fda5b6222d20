"""Benchmark `pathrules batch`: --jobs 1 against --jobs 2 (speed), and 1,000 rows against many (memory).

Not a test. Runs the real command line in a subprocess over a generated CSV for the thesis policy's
peer-mentor role (deterministic: the same seed gives the same bytes; about one row in 200 is a bad
row, so error rows are in the mix), and prints the ratios issue 14 asks for:

* **speed**: `--jobs 2` against `--jobs 1`, both engines, run interleaved over several rounds
  (j1, j2, j2, j1, ... so a change in the machine's load hits both alike); target at least 1.6x.
  Two ratios are printed, and they mean different things:
  - *wall*: wall-clock time of jobs=1 / jobs=2. What a user sees, but on a machine shared with
    other work it measures the neighbours as much as pathrules;
  - *CPU*: what two idle cores would give, from CPU time: jobs=1 CPU / max(jobs=2 parent CPU,
    jobs=2 total CPU / 2). It counts the workers' start-up and the parent's share honestly, but
    assumes the two workers are never starved, which only an idle machine guarantees.
* **memory**: peak resident memory of the whole process tree (parent and workers, sampled from
  /proc every 20 ms) at the small and the large row count, same jobs; target large/small <= 1.5x
  (rows are streamed, never all read). The largest single process (ru_maxrss) is printed too.

    setsid .venv/bin/python bench/batch.py --rows 20000 --rounds 3 --memory-small 1000 --memory-large 100000

Run it under ``setsid``: with the kernel's autogroup on, the cores are shared between sessions first,
so a bench in a busy shell's session gets that session's slice, not the machine's.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pathrules.batch.csv_format import COLUMNS  # noqa: E402

POLICY = ROOT / "policies" / "thesis-appendix-organisation.yaml"
ROLE = "peer-mentor"
AS_OF = _dt.date(2026, 11, 23)
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _day(rng: random.Random, before: int, after: int = 0) -> str:
    return (AS_OF + _dt.timedelta(days=rng.randint(-before, after))).isoformat()


def _maybe(rng: random.Random, share: float, text: str) -> str:
    return text if rng.random() < share else ""


def person_row(rng: random.Random, number: int) -> dict[str, str]:
    """One applicant for peer mentor: some ready, some waiting on checks, some with recent use."""
    row = {
        "person": f"p{number:07d}",
        "date_of_birth": _day(rng, 365 * 60, -365 * 17),
        "proposed_start": _day(rng, 30, 90),
        "last_use_illicit_drugs": _maybe(rng, 0.7, _day(rng, 2500)),
        "last_use_alcohol": _maybe(rng, 0.6, _day(rng, 1500)),
        "treatment_status": rng.choice(["", "never", "in_treatment", "completed", "completed"]),
        "qualifications": _maybe(rng, 0.6, f"level-2-award-peer-mentoring={_day(rng, 400)}"),
        "training": ";".join(
            f"{module}={_day(rng, 300)}" for module in ("peer-mentoring-training", "elearning-data-protection", "smart-training") if rng.random() < 0.6
        ),
        "approvals": _maybe(rng, 0.5, f"declaration-and-risk-assessment:service-manager={_day(rng, 60)}"),
        "identity_seen_on": _maybe(rng, 0.8, _day(rng, 90)),
        "supervision": ";".join(_day(rng, 120) for _ in range(rng.randint(0, 3))),
    }
    if rng.random() < 0.85:
        row.update(check_level="enhanced", check_applied_on=_day(rng, 120), check_documents_verified=rng.choice(["yes", "no"]))
        if rng.random() < 0.4:
            row.update(check_issued_on=_day(rng, 20), check_disclosure="no")
    if row["treatment_status"] in ("in_treatment", "completed"):
        row["treatment_provider"] = "thornbury-recovery"
    if rng.random() < 0.005:  # a bad row: a date a spreadsheet reformatted
        row["proposed_start"] = "31/12/2026"
    return row


def make_csv(path: Path, rows: int, seed: int = 14) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for number in range(rows):
            writer.writerow(person_row(rng, number))


def _proc_table() -> tuple[dict[int, int], dict[int, int]]:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return parents, rss


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, now."""
    parents, rss = _proc_table()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def own_cpu(pid: int) -> float:
    """CPU seconds used by this one process so far (not its children)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    tree_peak: float  # MiB, parent and workers together
    max_rss: float  # MiB, the largest single process
    parent_cpu: float  # seconds, the parent alone (last sample before it exited)
    cpu: float  # seconds, parent and workers


def run(source: Path, jobs: int, engine: str, sample: bool = True, src: Path = ROOT / "src") -> Run:
    """One `pathrules batch` run, of the pathrules in ``src`` (this checkout's unless told)."""
    out = source.with_name(f"{source.stem}.{engine}.j{jobs}.out.csv")
    env = {**os.environ, "PYTHONPATH": str(src)}
    argv = [sys.executable, "-m", "pathrules.cli.main", "batch", str(source), "--policy", str(POLICY), "--role", ROLE,
            "--as-of", AS_OF.isoformat(), "--out", str(out), "--jobs", str(jobs), "--engine", engine, "--no-progress"]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, parent_cpu = 0, 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if sample:
            peak = max(peak, tree_rss(proc.pid))
        parent_cpu = max(parent_cpu, own_cpu(proc.pid))
        time.sleep(0.02 if sample else 0.1)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"batch failed ({code}): {proc.stderr.read().decode() if proc.stderr else ''}")
    if proc.stderr:
        proc.stderr.close()
    return Run(wall, peak / 1048576, usage.ru_maxrss / 1024, parent_cpu, usage.ru_utime + usage.ru_stime)


def cpu_ratio(one: Run, two: Run) -> float:
    """jobs=2 speed / jobs=1 speed on two idle cores, from CPU time: the busier of the parent and the workers' pair."""
    return one.cpu / max(two.parent_cpu, two.cpu / 2)


def autogroup() -> str:
    """Whether the kernel shares the cores between sessions first (then a session's processes share its slice)."""
    try:
        with open("/proc/sys/kernel/sched_autogroup_enabled") as flag:
            return "on" if flag.read().strip() == "1" else "off"
    except OSError:
        return "unknown"


def loadavg() -> str:
    with open("/proc/loadavg") as load:
        return load.read().split()[0]


def speed(tmp: Path, rows: int, rounds: int, engines: list[str], against: Path | None = None) -> None:
    """jobs=1 and jobs=2 interleaved; with ``against`` (another checkout's src), its runs are interleaved too."""
    source = tmp / f"speed-{rows}.csv"
    make_csv(source, rows)
    print(f"\nspeed: {rows:,} rows, {rounds} rounds interleaved (load average at the start {loadavg()})")
    sources = {"this": ROOT / "src"} | ({"against": against} if against else {})
    if against:
        print(f"  'against' is the pathrules in {against}")
    figures: dict[tuple[str, str, int], list[Run]] = {(c, e, j): [] for c in sources for e in engines for j in (1, 2)}
    for number in range(rounds):
        order = (1, 2) if number % 2 == 0 else (2, 1)
        for engine in engines:
            for code in (list(sources) if number % 2 == 0 else list(reversed(sources))):
                for jobs in order:
                    result = run(source, jobs, engine, sample=False, src=sources[code])
                    figures[code, engine, jobs].append(result)
                    label = f"{code:<8} " if against else ""
                    print(f"  round {number + 1}  {label}{engine:<7} jobs={jobs}  {result.wall:7.1f} s wall  {rows / result.wall:7,.0f} rows/s"
                          f"  CPU parent {result.parent_cpu:6.1f} s, all {result.cpu:6.1f} s ({result.cpu / rows * 1000:.2f} ms a row)  (load {loadavg()})", flush=True)
    print("ratios, jobs=2 speed / jobs=1 speed (target >= 1.6x); per round, then the median:")
    for code in sources:
        for engine in engines:
            ones, twos = figures[code, engine, 1], figures[code, engine, 2]
            walls = [one.wall / two.wall for one, two in zip(ones, twos)]
            cpus = [cpu_ratio(one, two) for one, two in zip(ones, twos)]
            label = f"{code:<8} " if against else ""
            print(f"  {label}{engine:<7} wall  {'  '.join(f'{r:.2f}x' for r in walls)}   median {statistics.median(walls):.2f}x  (shared machine: measures the neighbours too)")
            print(f"  {label}{engine:<7} CPU   {'  '.join(f'{r:.2f}x' for r in cpus)}   median {statistics.median(cpus):.2f}x  (what two idle cores would give)")


def memory(tmp: Path, small: int, large: int, engine: str, jobs_list: tuple[int, ...] = (1, 2)) -> None:
    print(f"\nmemory: {small:,} rows against {large:,} rows, engine {engine} (load average at the start {loadavg()})")
    figures: dict[tuple[int, int], Run] = {}
    for rows in (small, large):
        source = tmp / f"memory-{rows}.csv"
        make_csv(source, rows)
        for jobs in jobs_list:
            result = figures[rows, jobs] = run(source, jobs, engine)
            print(f"  {rows:>8,} rows  jobs={jobs}  {result.wall:7.1f} s wall  peak RSS all processes {result.tree_peak:5.0f} MiB,"
                  f" largest process {result.max_rss:5.0f} MiB  CPU all {result.cpu:6.1f} s", flush=True)
            source.with_name(f"{source.stem}.{engine}.j{jobs}.out.csv").unlink(missing_ok=True)
    for jobs in jobs_list:
        ratio = figures[large, jobs].tree_peak / figures[small, jobs].tree_peak
        print(f"  jobs={jobs}: peak RSS (all processes) {large:,} rows / {small:,} rows  {ratio:.2f}x  (target <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="rows for the speed runs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", default="python,durable", help="comma-separated, for the speed runs")
    parser.add_argument("--memory-small", type=int, default=1_000)
    parser.add_argument("--memory-large", type=int, default=100_000)
    parser.add_argument("--memory-engine", default="python", choices=["auto", "durable", "python"])
    parser.add_argument("--memory-jobs", default="1,2", help="comma-separated job counts for the memory runs")
    parser.add_argument("--skip", choices=["speed", "memory"], help="run only the other half")
    parser.add_argument("--against", type=Path, metavar="SRC", help="also time the pathrules in SRC (e.g. main's src), interleaved: a before/after at the same load")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, policy {POLICY.name}, role {ROLE}, as of {AS_OF}")
    print(f"kernel autogroup {autogroup()}; this bench {'leads its own session' if os.getsid(0) == os.getpid() else 'shares its session (run it under setsid)'}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.skip != "speed":
            speed(Path(tmp), args.rows, args.rounds, args.engines.split(","), args.against)
        if args.skip != "memory":
            memory(Path(tmp), args.memory_small, args.memory_large, args.memory_engine, tuple(int(j) for j in args.memory_jobs.split(",")))
    print(f"\nload average at the end: {loadavg()} (on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
