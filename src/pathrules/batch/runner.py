"""Decide every row of a batch, in order, streaming: each row is read, decided and handed on as it comes.

Below ``PARALLEL_FROM`` rows (or with one job) rows are decided in this process; otherwise worker
processes do the parsing, deciding and formatting (see ``pool``). Either way every input item
yields exactly one Result, in input order, and at most a bounded number of rows is held at once.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator

from pathrules.batch.decide import BatchSpec, Decider, OutputFormat, Result
from pathrules.batch.inputs import Item
from pathrules.batch.pool import BatchInterrupted, BatchStopped, WorkerPool

PARALLEL_FROM = 200  # below this, starting workers costs more than it saves

__all__ = ["PARALLEL_FROM", "BatchInterrupted", "BatchSpec", "BatchStopped", "Result", "run_batch"]


def _never() -> bool:
    return False


def run_batch(
    items: Iterable[Item],
    spec: BatchSpec,
    *,
    output: OutputFormat,
    jobs: int | None = None,
    keep: bool = False,
    duties: bool = False,
    stop: Callable[[], bool] = _never,
) -> Iterator[Result]:
    """A Result for every item, in input order. ``stop`` is polled; when it says so, BatchInterrupted.

    ``keep``: every Result carries its decision and record (for the audit store); ``duties``: it
    carries only the service duties behind (for ``--duties-summary``), which workers send cheaply."""
    workers = jobs or min(2, os.cpu_count() or 1)
    stream = iter(items)
    if workers > 1:
        head = list(itertools.islice(stream, PARALLEL_FROM))
        stream = itertools.chain(head, stream)
        if len(head) == PARALLEL_FROM:
            yield from WorkerPool(spec, output, keep, workers, duties).results(stream, stop)
            return
    decider = Decider(spec, output, keep, duties)
    for item in stream:
        if stop():
            raise BatchInterrupted()
        yield decider.decide(item)
