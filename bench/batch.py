"""Benchmark `pathrules batch`: --jobs 1 against --jobs 2, wall time and peak memory, small and large.

Not a test. Runs the real command line in a subprocess over generated JSONL (the twelve example
people, repeated), samples the resident memory of the whole process tree (parent and workers) every
20 ms, and prints wall time, rows/s, peak RSS and the ratios issue 14 asks for:

* jobs=2 / jobs=1 speed (target at least 1.6x);
* peak RSS at the large count / at the small count, same jobs (target within 1.5x: streaming).

    .venv/bin/python bench/batch.py --small 1000 --large 100000 [--engine auto|durable|python]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import pathrules  # noqa: E402

POLICY = ROOT / "policies" / "thesis-appendix-organisation.yaml"
PAGE = os.sysconf("SC_PAGE_SIZE")


def make_input(path: Path, rows: int) -> None:
    people = [pathrules.load_record(f).model_dump_json(exclude_none=True) for f in sorted((ROOT / "examples").glob("*.yaml"))]
    with path.open("w") as handle:
        for i in range(rows):
            handle.write(people[i % len(people)] + "\n")


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants."""
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
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def run(source: Path, jobs: int, engine: str) -> tuple[float, float, float, float]:
    """Wall seconds, peak MiB of the process tree, CPU seconds of the parent, CPU seconds of all."""
    out = source.with_suffix(f".j{jobs}.out.csv")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    argv = [sys.executable, "-m", "pathrules.cli.main", "batch", str(source), "--policy", str(POLICY), "--role", "volunteer",
            "--as-of", "2026-11-23", "--out", str(out), "--jobs", str(jobs), "--engine", engine, "--no-progress"]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, parent_cpu = 0, 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss(proc.pid))
        parent_cpu = max(parent_cpu, own_cpu(proc.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({proc.returncode}): {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, peak / 1048576, parent_cpu, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--engine", default="auto", choices=["auto", "durable", "python"])
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, engine {args.engine}, policy {POLICY.name}, role volunteer")
    figures: dict[tuple[int, int], tuple[float, float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (args.small, args.large):
            source = Path(tmp) / f"in-{rows}.jsonl"
            make_input(source, rows)
            for jobs in (1, 2):
                wall, peak, parent, total = figures[rows, jobs] = run(source, jobs, args.engine)
                print(f"{rows:>8,} rows  jobs={jobs}  {wall:7.1f} s  {rows / wall:8,.0f} rows/s  peak RSS (all processes) {peak:6.0f} MiB"
                      f"  CPU: parent {parent:6.1f} s, all {total:6.1f} s", flush=True)
    with open("/proc/loadavg") as load:
        print(f"\nload average at the end: {load.read().split()[0]} (on {os.cpu_count()} cores; wall times are only comparable on an idle machine)")
    print("ratios:")
    for rows in (args.small, args.large):
        wall1, _, _, cpu1 = figures[rows, 1]
        wall2, _, parent2, cpu2 = figures[rows, 2]
        bound = cpu1 / max(parent2, cpu2 / 2)  # what two idle cores would give: the busier of parent and workers
        print(f"  {rows:>8,} rows: jobs=2 speed / jobs=1 speed          {wall1 / wall2:.2f}x wall, {bound:.2f}x from CPU time on 2 idle cores  (target >= 1.6x)")
    for jobs in (1, 2):
        print(f"  jobs={jobs}: peak RSS {args.large:,} rows / {args.small:,} rows   {figures[args.large, jobs][1] / figures[args.small, jobs][1]:.2f}x  (target <= 1.5x)")


if __name__ == "__main__":
    main()
