"""Read the rest of a policy around its schema errors, so one pass reports everything.

A schema error used to hide every cross-reference problem (an unknown catalogue id, a duplicate id)
until it was fixed, and then the next run showed those. Here a copy of the data is mended just
enough to validate: a requirement with an error becomes a placeholder that keeps its id, an unknown
field is dropped, a missing text or date gets a stand-in. The mended policy is only ever used to run
the checks; when the damage is elsewhere (a role key that is not an id, a missing `roles:`), nothing
is guessed and only the schema errors are reported.
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
import typing
from typing import Any, get_args, get_origin

from pydantic import ValidationError

from pathrules.located_errors import aliases, data_path, owner_models
from pathrules.policy.fields import SLUG_PATTERN
from pathrules.policy.model import Policy
from pathrules.yamlsource import Located, PathKey

MAX_ROUNDS = 4
_LISTS = ("requires", "ongoing")


def mend(located: Located, error: ValidationError) -> Policy | None:
    """A policy validated from mended data, or None when the data cannot be mended safely."""
    data = copy.deepcopy(located.data)
    for _ in range(MAX_ROUNDS):
        for detail in error.errors(include_url=False):
            path, absent = data_path(data, tuple(detail["loc"]))
            if not _mend_one(data, path, absent, detail["type"]):
                return None
        try:
            return Policy.model_validate(data)
        except ValidationError as again:
            error = again
    return None


def _item_index(path: PathKey) -> int | None:
    """Where in ``path`` the requirement item is, if the error is inside one."""
    for index, part in enumerate(path):
        if isinstance(part, int) and index >= 1 and (path[index - 1] in _LISTS or (index == 2 and path[0] == "groups")):
            return index
    return None


def _node(data: Any, path: PathKey) -> Any:
    for part in path:
        data = data[part]
    return data


def _mend_one(data: dict[str, Any], path: PathKey, absent: bool, kind: str) -> bool:
    if not path:
        return False
    item = _item_index(path)
    if item is not None:
        parent = _node(data, path[:item])
        old = parent[path[item]]
        given = old.get("id") if isinstance(old, dict) else None
        keep = isinstance(given, str) and len(given) <= 80 and re.fullmatch(SLUG_PATTERN, given) is not None
        parent[path[item]] = {"kind": "identity", "id": given if keep else f"unreadable-item-{len(path)}-{path[item]}"}
        return True
    try:
        parent = _node(data, path[:-1])
    except (KeyError, IndexError, TypeError):
        return False
    if not isinstance(parent, dict):
        return False
    if kind == "extra_forbidden":
        parent.pop(path[-1], None)
        return True
    fields = [f for model in owner_models(Policy, path, data) for name, f in aliases(model).items() if name == path[-1]]
    if len(fields) != 1:
        return False
    info = fields[0]
    if not absent and not info.is_required():
        parent.pop(path[-1], None)
        return True
    stand_in = _stand_in(info.annotation)
    if stand_in is None:
        return False
    parent[path[-1]] = stand_in
    return True


def _stand_in(annotation: Any) -> Any:
    """A harmless value of a required field's type (text or a date), or None for anything else."""
    if get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    if annotation is str:
        return "unreadable"
    if annotation is _dt.date:
        return _dt.date(2000, 1, 1)
    return None
