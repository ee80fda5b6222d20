"""A worker that stays alive but never answers does not stall a batch.

Regression test: the pool waited on worker pipes with no deadline per chunk, so a worker stuck on one
row kept its chunk for ever and, since output is written in order, the batch never finished. The
hang is injected into the spawned workers only (the parent's Decider is untouched) and the budget is
lowered so the test takes seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pathrules
from conftest import AS_OF, EXAMPLES, POLICIES
from pathrules.batch import pool, runner
from pathrules.batch.decide import BatchSpec, Decider, Result
from pathrules.batch.inputs import Item, JsonlItem

HANG_MARK = "hang-here"


def _worker_that_hangs_on_marked_rows(conn: Any, *rest: Any) -> None:
    """Runs in the spawned worker: the real worker loop, but a row naming HANG_MARK never finishes."""
    real = Decider.decide

    def decide(self: Decider, item: Item) -> Result:
        if isinstance(item, JsonlItem) and HANG_MARK in item.line:
            time.sleep(3600)
        return real(self, item)

    Decider.decide = decide  # type: ignore[method-assign]
    pool._worker_main(conn, *rest)


def _rows(count: int, hang_at: int) -> Iterator[Item]:
    line = pathrules.load_record(EXAMPLES / "amira.yaml").model_dump_json(exclude_none=True)
    for index in range(count):
        text = line.replace('"amira-k"', f'"{HANG_MARK}"') if index == hang_at else line
        yield JsonlItem(index, f"in.jsonl:{index + 1}", text)


def test_a_worker_that_never_answers_is_stopped_and_only_its_row_becomes_an_error() -> None:
    spec = BatchSpec(tuple(pathrules.load_policies(str(POLICIES / "thesis-appendix-organisation.yaml"))), "volunteer", AS_OF)
    assert HANG_MARK in list(_rows(12, 5))[5].line  # the injected row really is marked
    results: list[Result] = []

    def run() -> None:
        results.extend(runner.run_batch(_rows(12, 5), spec, output="jsonl", jobs=2))

    with (
        mock.patch.object(runner, "PARALLEL_FROM", 1),
        mock.patch.object(pool, "CHUNK", 4),
        mock.patch.object(pool, "_worker_main", _worker_that_hangs_on_marked_rows),
        mock.patch.object(pool, "CHUNK_SECONDS", 3.0),
        mock.patch.object(pool, "ROW_SECONDS", 0.0),
    ):
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(60)
    assert not thread.is_alive(), "the batch stalled on a worker that never answers"
    assert [r.index for r in results] == list(range(12))  # one row per input row, in order
    assert [r.index for r in results if r.outcome == "error"] == [5]
    assert '"row": 6' in results[5].text and "in.jsonl:6" in results[5].text
    assert "took longer than 3 s" in results[5].text


class _DiesWhileStarting:
    """A worker target that ends its spawned process the moment the process reads it, before the rest of its start data."""

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        import os

        return (os._exit, (3,))

    def __call__(self, *args: Any) -> None:  # pragma: no cover - never runs: the child is gone first
        raise AssertionError("unreachable")


def test_a_spawned_worker_that_dies_while_starting_stops_the_batch_instead_of_stalling_it() -> None:
    """Regression: the policies went to a spawned worker with its start data, more than a pipe holds;
    a worker that died before reading them all left the parent blocked writing to it, for ever."""
    spec = BatchSpec(tuple(pathrules.load_policies(str(POLICIES / "thesis-appendix-organisation.yaml"))), "volunteer", AS_OF)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            list(runner.run_batch(_rows(12, -1), spec, output="jsonl", jobs=2))
            outcome.append(None)
        except BaseException as err:  # noqa: BLE001 - the test looks at it
            outcome.append(err)

    with (
        mock.patch.object(runner, "PARALLEL_FROM", 1),
        mock.patch.object(pool, "START_METHOD", "spawn"),
        mock.patch.object(pool, "_worker_main", _DiesWhileStarting()),
    ):
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(60)
    assert not thread.is_alive(), "the batch stalled on a worker that died while starting"
    assert isinstance(outcome[0], pool.BatchStopped) and "while starting" in str(outcome[0])
