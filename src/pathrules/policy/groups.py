"""Named groups, expanded once: memoised, iterative and bounded.

A group may use other groups, so a role's requirements are a tree. Walking it naively is exponential
(26 levels of groups each used twice is 2^26 requirements from a 1 KB file) and recursive (a chain of
1,500 groups passes Python's recursion limit). Here each group is expanded once, dependencies first,
with an explicit stack; sizes saturate at ``MAX_EXPANDED`` so an oversized group is never built.
Unknown groups and cycles are skipped: the policy checks report them, at the place to edit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pathrules.policy.requirements import GroupRef, Requirement, RequirementItem

PathKey = tuple[str | int, ...]

MAX_EXPANDED = 400
"""Requirements one list may expand to: durable-rules hangs past about 500 rules (docs/engine.md)."""

Groups = Mapping[str, list[RequirementItem]]


def uses(items: list[RequirementItem]) -> Iterator[tuple[int, str]]:
    """The group references in a list, with their index."""
    for index, item in enumerate(items):
        if isinstance(item, GroupRef):
            yield index, item.group


def dependency_order(groups: Groups) -> tuple[list[str], list[list[str]]]:
    """Groups with every group they use before them, and the cycles met on the way (iteratively)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    order: list[str] = []
    cycles: list[list[str]] = []
    for start in groups:
        if start in state:
            continue
        state[start] = 1
        stack: list[tuple[str, Iterator[tuple[int, str]]]] = [(start, uses(groups[start]))]
        while stack:
            name, pending = stack[-1]
            for _, target in pending:
                if target not in groups:
                    continue
                if state.get(target) == 1:
                    trail = [n for n, _ in stack]
                    cycles.append(trail[trail.index(target) :] + [target])
                elif target not in state:
                    state[target] = 1
                    stack.append((target, uses(groups[target])))
                    break
            else:
                stack.pop()
                state[name] = 2
                order.append(name)
    return order, cycles


@dataclass
class Expansion:
    """Every group expanded once, each requirement with the path where it is written."""

    groups: Groups
    sizes: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[tuple[PathKey, Requirement]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        order, _ = dependency_order(self.groups)
        for name in order:
            size = 0
            for item in self.groups[name]:
                size += self.sizes.get(item.group, 0) if isinstance(item, GroupRef) else 1
            self.sizes[name] = min(size, MAX_EXPANDED + 1)
            if size <= MAX_EXPANDED:
                self.items[name] = self.expand(("groups", name), self.groups[name])

    def size(self, items: list[RequirementItem]) -> int:
        """How many requirements a list expands to (saturating just past the bound)."""
        total = sum(self.sizes.get(item.group, 0) if isinstance(item, GroupRef) else 1 for item in items)
        return min(total, MAX_EXPANDED + 1)

    def expand(self, base: PathKey, items: list[RequirementItem]) -> list[tuple[PathKey, Requirement]]:
        """A list's requirements with groups replaced by theirs, in order; raises past the bound."""
        if self.size(items) > MAX_EXPANDED:
            raise OverflowError(f"expands to more than {MAX_EXPANDED} requirements")
        out: list[tuple[PathKey, Requirement]] = []
        for index, item in enumerate(items):
            if isinstance(item, GroupRef):
                out.extend(self.items.get(item.group, []))
            else:
                out.append((base + (index,), item))
        return out
