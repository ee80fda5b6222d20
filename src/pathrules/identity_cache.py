"""Values worked out once per object (a loaded policy, a requirement, a compiled program).

A policy and its parts never change once loaded, so what is worked out from them alone (a policy's
titles, its groups expanded, a requirement's validity periods, a program's layout for durable-rules)
is kept rather than worked out on every evaluation. They are pydantic models that compare by value,
so the cache keys them by identity (``id``), and each entry keeps the objects themselves: an id is
only reused once its object is gone, and an object held here is not gone. The cache is emptied when
it reaches its size; it holds a handful of entries in practice, and the bound keeps a long-running
server that loads many policies from growing without end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, TypeVarTuple, Unpack

V = TypeVar("V")
Objects = TypeVarTuple("Objects")


class ByIdentity(Generic[Unpack[Objects], V]):
    """``compute(*objects)``, worked out once per combination of objects (by identity) while kept."""

    def __init__(self, compute: Callable[[Unpack[Objects]], V], size: int = 64) -> None:
        self._compute = compute
        self._size = size
        self._entries: dict[tuple[int, ...], tuple[tuple[Unpack[Objects]], V]] = {}

    def __call__(self, *objects: Unpack[Objects]) -> V:
        key = tuple(map(id, objects))
        entry = self._entries.get(key)
        if entry is None:
            if len(self._entries) >= self._size:
                self._entries.clear()
            entry = self._entries[key] = (objects, self._compute(*objects))
        return entry[1]

    def __len__(self) -> int:
        return len(self._entries)
