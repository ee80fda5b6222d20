"""Worker processes that decide chunks of a batch, with the results put back in input order.

Why not ``multiprocessing.Pool``: when one of its workers is killed, ``imap`` waits for ever, and a
worker killed while writing to the shared result queue can leave it locked (issue 15, D10). Here
each worker has its own pipe and at most one chunk at a time, and the parent waits on the pipes and
on the processes' sentinels together, so a dead worker is seen at once. Its chunk is retried one
row at a time in a fresh worker; a row whose worker dies again is marked failed, and the batch goes
on. A worker that stays alive but does not answer within its chunk's budget (``CHUNK_SECONDS`` plus
``ROW_SECONDS`` a row) is killed and treated the same way: output is written in order, so one stuck
worker would otherwise stall the whole batch for ever. Workers ignore SIGINT and SIGTERM: the
parent alone decides how to stop.

How workers start: forked where that is safe (Linux, and the calling process runs one thread: no
other thread can hold a lock, the engine's included, at the moment of the fork), else spawned. A
forked worker has pathrules imported already; a spawned one imports it again, about a second of CPU
each on this machine, which on a batch of ten thousand rows was most of what two workers lost
against one process. Either way the policies come as the first message on the worker's pipe (see
``_greet``), and only then does the worker say it is ready. A forked worker
closes the parent's ends of the other workers' pipes it inherited, so each pipe still has one
reader and one writer, and a dead parent is still seen as end-of-file.

Memory is bounded: rows are read from the input only while fewer than ``window`` rows are read but
not yet handed back, and workers send back finished output lines, not decisions.

What crosses the pipes is plain tuples, never dataclass instances: pickling a slotted dataclass goes
through Python code for every row and cost the parent more than reading and writing the row did.
"""

from __future__ import annotations

import itertools
import multiprocessing
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from pathrules.batch.decide import BatchSpec, Decider, OutputFormat, Result, result_row
from pathrules.batch.inputs import BadItem, CsvItem, FileItem, Item, JsonlItem
from pathrules.batch.outputs import format_row

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, SpawnContext

CHUNK = 64
MAX_WORKER_LOSSES = 32
CHUNK_SECONDS = 60.0  # a chunk's budget: this much, plus ROW_SECONDS a row, from when its worker can start on it
ROW_SECONDS = 1.0
START_METHOD: str | None = None  # None: fork where safe, else spawn (tests set it to run both)
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class BatchStopped(Exception):
    """The batch could not go on (workers cannot start, or keep dying); rows so far are kept."""


class BatchInterrupted(Exception):
    """SIGINT or SIGTERM: stop soon, keep the rows decided so far."""


_ITEM_KINDS: tuple[type[JsonlItem], type[CsvItem], type[FileItem], type[BadItem]] = (JsonlItem, CsvItem, FileItem, BadItem)
Wire = tuple[Any, ...]


def _pack(item: Item) -> Wire:
    """An item as a plain tuple for the pipe: (kind, index, source, the rest)."""
    if isinstance(item, CsvItem):
        return (1, item.index, item.source, item.header, item.text)
    if isinstance(item, JsonlItem):
        return (0, item.index, item.source, item.line)
    if isinstance(item, FileItem):
        return (2, item.index, item.source, item.path)
    return (3, item.index, item.source, item.error)


def _unpack(wire: Wire) -> Item:
    item: Item = _ITEM_KINDS[wire[0]](*wire[1:])
    return item


def _reply(result: Result, keep: bool) -> Result | Wire:
    """What goes back: the whole Result only when the parent keeps decisions (the audit store)."""
    return result if keep else (result.index, result.outcome, result.text, result.duties)


def _received(reply: Result | Wire) -> Result:
    if isinstance(reply, Result):
        return reply
    index, outcome, text, duties = reply
    return Result(index, outcome, text, duties=duties)


def _worker_main(conn: Connection, inherited: tuple[Connection, ...] = ()) -> None:
    """A worker: its start message (what to decide against), then chunks until None or end-of-file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the parent's handler, which only sets a flag
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    for other in inherited:  # forked: the parent's ends of the other workers' pipes
        other.close()
    try:
        start = conn.recv()
    except (EOFError, OSError):
        return
    try:
        spec, output, keep, duties = start
        decider = Decider(spec, output, keep, duties)
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which stops the batch
        conn.send(("failed", f"{type(err).__name__}: {err}"))
        return
    conn.send(("ready", ""))
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        conn.send([_reply(decider.decide(_unpack(wire)), keep) for wire in chunk])


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    chunk: list[Item] | None = None
    ready: bool = False
    alive: bool = True
    sent: float = 0.0  # when the chunk was sent, or when the worker became ready if later

    def overdue(self, now: float) -> bool:
        """Still holding its chunk past the budget; only a started worker is timed (spawning is not)."""
        return self.alive and self.ready and self.chunk is not None and now - self.sent > _budget(len(self.chunk))


@dataclass
class WorkerPool:
    spec: BatchSpec
    output: OutputFormat
    keep: bool
    size: int
    duties: bool = False
    window: int = 0
    _workers: list[_Worker] = field(default_factory=list)
    _losses: int = 0

    def __post_init__(self) -> None:
        self.window = self.window or CHUNK * self.size * 4
        self.start_method = START_METHOD or _safe_start_method()
        self._context: ForkContext | SpawnContext = multiprocessing.get_context("fork") if self.start_method == "fork" else multiprocessing.get_context("spawn")

    def _start(self) -> _Worker:
        """Start a worker process; ``_greet`` then sends it what to decide against."""
        parent, child = self._context.Pipe()
        inherited = tuple(w.conn for w in self._workers if w.alive) if self.start_method == "fork" else ()
        process = self._context.Process(target=_worker_main, args=(child, inherited), daemon=True)
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)  # the child starts with them blocked
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        return worker

    def _greet(self, worker: _Worker) -> None:
        """The start message: the policies (a few hundred KB pickled) go over the worker's own pipe, not
        with the process's start data: a spawned process that died before reading all of that left the
        parent blocked writing it for ever. Here a dead worker's end is closed, the send fails, and its
        sentinel tells the loop."""
        try:
            worker.conn.send((self.spec, self.output, self.keep, self.duties))
        except OSError:
            pass

    def results(self, items: Iterator[Item], stop: Callable[[], bool]) -> Iterator[Result]:
        """A Result for every item, in input order."""
        try:
            started = [self._start() for _ in range(self.size)]  # all started before any is waited on
            for worker in started:
                self._greet(worker)
            yield from self._run(items, stop)
        finally:
            self._shutdown()

    def _run(self, items: Iterator[Item], stop: Callable[[], bool]) -> Iterator[Result]:
        pending: deque[list[Item]] = deque()
        done: dict[int, Result] = {}
        next_index = read = 0
        exhausted = False

        def feed() -> None:
            """Read chunks while the window allows, and hand one to every idle worker."""
            nonlocal read, exhausted
            while not exhausted and len(pending) < self.size and read - next_index < self.window:
                chunk = list(itertools.islice(items, CHUNK))
                exhausted = len(chunk) < CHUNK
                read += len(chunk)
                if chunk:
                    pending.append(chunk)
            for worker in list(self._workers):
                if worker.alive and worker.chunk is None and pending:
                    worker.chunk = pending.popleft()
                    worker.sent = time.monotonic()
                    try:
                        worker.conn.send([_pack(item) for item in worker.chunk])
                    except OSError:
                        self._lost(worker, pending, done)

        while True:
            if stop():
                raise BatchInterrupted()
            feed()  # first: a worker that just answered gets its next chunk before the rows are handed on
            while next_index in done:
                yield done.pop(next_index)
                next_index += 1
            feed()  # the rows handed on may have opened the window
            busy = [w for w in self._workers if w.alive and w.chunk is not None]
            if exhausted and not pending and not busy and next_index >= read:
                return
            live = [w for w in self._workers if w.alive]
            ready = set(wait([w.conn for w in live] + [w.process.sentinel for w in live], timeout=0.2))
            for worker in live:
                if worker.conn in ready or worker.process.sentinel in ready:
                    self._collect(worker, done, pending, dead=worker.process.sentinel in ready)
            now = time.monotonic()
            for worker in [w for w in self._workers if w.overdue(now)]:
                worker.process.kill()
                self._lost(worker, pending, done, overdue=True)

    def _collect(self, worker: _Worker, done: dict[int, Result], pending: deque[list[Item]], dead: bool) -> None:
        try:
            while worker.alive and worker.conn.poll():
                message: Any = worker.conn.recv()
                if isinstance(message, tuple):
                    kind, detail = message
                    if kind == "failed":
                        raise BatchStopped(f"a worker process could not start: {detail}")
                    worker.ready = True
                    worker.sent = max(worker.sent, time.monotonic())
                else:
                    for reply in message:
                        result = _received(reply)
                        done[result.index] = result
                    worker.chunk = None
        except (EOFError, OSError):
            dead = True
        if dead and worker.alive:
            self._lost(worker, pending, done)

    def _lost(self, worker: _Worker, pending: deque[list[Item]], done: dict[int, Result], overdue: bool = False) -> None:
        """A worker died (or was killed as overdue): retry its rows one by one in a fresh worker; a single row it died on fails."""
        worker.alive = False
        worker.conn.close()
        worker.process.join(1)
        self._losses += 1
        if not worker.ready:
            raise BatchStopped(f"a worker process stopped while starting ({_how(worker.process.exitcode)})")
        if self._losses > MAX_WORKER_LOSSES:
            raise BatchStopped(f"{self._losses} worker processes stopped; giving up")
        chunk, worker.chunk = worker.chunk or [], None
        if len(chunk) == 1:
            item = chunk[0]
            if overdue:
                error = f"deciding this row took longer than {_budget(1):g} s; its worker process was stopped and the row was not decided"
            else:
                error = f"the worker process deciding this row stopped ({_how(worker.process.exitcode)}); the row was not decided"
            row = result_row(item.index, item.source, None, error)
            done[item.index] = Result(item.index, "error", "", row) if self.keep else Result(item.index, "error", format_row(row, self.output))
        else:
            pending.extendleft([item] for item in reversed(chunk))
        self._workers.remove(worker)
        self._greet(self._start())

    def _shutdown(self) -> None:
        for worker in self._workers:
            if worker.alive:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + 2
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            worker.conn.close()
        self._workers.clear()


def _safe_start_method() -> str:
    """'fork' on Linux when this process runs a single thread (see the module's docstring), else 'spawn'."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _budget(rows: int) -> float:
    """Seconds a worker may hold a chunk of this many rows: generous, it only has to catch a stuck one."""
    return CHUNK_SECONDS + ROW_SECONDS * rows


def _how(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"
