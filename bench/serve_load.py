"""Load on `pathrules serve`, over loopback only: N decisions via POST /v1/decisions from C clients.

Starts the server as a child process on 127.0.0.1 (a free port), with a throwaway audit database and
accounts file, sends a bounded number of requests (default 2,000 over 20 concurrent clients, each
with its own keep-alive connection), then checks that there were no errors and that every decision
is in the audit chain and the chain verifies. Reports requests/s and latency percentiles.

    .venv/bin/python bench/serve_load.py                      # 2,000 decisions, 20 clients
    .venv/bin/python bench/serve_load.py --requests 500 --clients 5 --engine python
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pathrules.audit.store import AuditStore  # noqa: E402
from pathrules.audit.verify import verify  # noqa: E402
from pathrules.web.accounts import Accounts  # noqa: E402

POLICY, ROLE, AS_OF = "thornbury-recovery", "peer-mentor", "2026-11-23"
TIME_LIMIT = 600.0  # seconds: the run stops by itself


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _record(index: int) -> dict[str, object]:
    """Varied records: some eligible soon, some not yet, a few with little on file."""
    month = 1 + index % 12
    record: dict[str, object] = {
        "person": f"load-{index:06d}",
        "substance_use": [{"substance": "alcohol", "last_use": f"2026-{month:02d}-01"}, {"substance": "illicit-drugs", "last_use": "2025-02-14"}],
        "treatment": {"status": ["never", "in_treatment", "completed"][index % 3], **({"discharged_on": "2026-01-10"} if index % 3 == 2 else {})},
        "training": [{"id": "peer-mentoring-training", "completed_on": "2026-08-15"}],
    }
    if index % 4:
        record["vetting"] = [{"scheme": "dbs", "level": "enhanced", "applied_on": "2026-10-20", "documents_verified": True}]
    if index % 5 == 0:
        record["identity"] = {"seen_in_person_on": "2026-10-20"}
    return record


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.clients <= 200:
        parser.error("keep it bounded: 1-100,000 requests, 1-200 clients")

    with tempfile.TemporaryDirectory(prefix="pathrules-load-") as folder:
        users, audit = Path(folder) / "users.json", Path(folder) / "decisions.db"
        accounts = Accounts(users)
        accounts.add("load", ["coordinator"], "load-test-password")
        token = accounts.new_token("load", "bench")
        port = _free_port()
        command = [sys.executable, "-m", "pathrules.cli.main", "serve", "--policies", str(ROOT / "policies"), "--audit", str(audit),
                   "--users", str(users), "--host", "127.0.0.1", "--port", str(port), "--engine", args.engine]  # fmt: skip
        log_path = Path(folder) / "server.log"  # a file, not a pipe: an unread pipe fills and stalls the server
        log_file = log_path.open("wb")
        server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log_file, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        try:
            _wait_for(port, server)
            latencies: list[float] = []
            failures: list[str] = []
            ids: list[str] = []
            lock = threading.Lock()
            counter = iter(range(args.requests))
            stop_at = time.monotonic() + TIME_LIMIT

            def client() -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
                while time.monotonic() < stop_at:
                    with lock:
                        index = next(counter, None)
                    if index is None:
                        break
                    body = json.dumps({"policy": POLICY, "role": ROLE, "as_of": AS_OF, "record": _record(index)})
                    started = time.perf_counter()
                    try:
                        connection.request("POST", "/v1/decisions", body=body, headers=headers)
                        response = connection.getresponse()
                        data = response.read()
                    except (OSError, http.client.HTTPException) as err:
                        with lock:
                            failures.append(f"request {index}: {type(err).__name__}")
                        connection.close()
                        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                        continue
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        if response.status == 201:
                            ids.append(json.loads(data)["id"])
                        else:
                            failures.append(f"request {index}: HTTP {response.status}")
                connection.close()

            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - began
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
            log_file.close()
        log_text = log_path.read_text(encoding="utf-8", errors="replace")
        leaked = [i for i in range(args.requests) if f"load-{i:06d}" in log_text]
        with AuditStore(audit) as store:
            count, head = store.head()
            findings = verify(store)
            stored = {e.id for e in store.events()}

    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")

    print(f"pathrules serve under load: python {platform.python_version()}, {os.cpu_count()} cores, engine {args.engine}, policy {POLICY}, role {ROLE}")
    print(f"{args.requests:,} POST /v1/decisions over {args.clients} keep-alive clients on 127.0.0.1 (server and clients on the same machine)")
    print(f"  wall {wall:.1f} s   {len(latencies) / wall:,.0f} requests/s")
    print(f"  latency ms: p50 {percentile(0.50):.1f}   p95 {percentile(0.95):.1f}   p99 {percentile(0.99):.1f}   max {ordered[-1] * 1000 if ordered else float('nan'):.1f}   mean {statistics.fmean(ordered) * 1000 if ordered else float('nan'):.1f}")
    print(f"  errors: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""))
    every_stored = set(ids) <= stored and len(ids) == args.requests
    print(f"  server log: {len(log_text.splitlines()):,} lines; person ids found in it: {len(leaked)}")
    print(f"  audit: {count:,} events, {len(ids):,} decisions answered, every one stored: {every_stored}; chain verifies: {not findings}; head {head[:16]}")
    return 0 if not failures and every_stored and count == args.requests and not findings and not leaked else 1


if __name__ == "__main__":
    sys.exit(main())
