"""Safe YAML that remembers where every value came from.

PyYAML's ``safe_load`` throws line numbers away, follows YAML 1.1 (``no``/``off`` become booleans)
and keeps the last of two duplicate keys without a word. Policy authors need all three fixed, so this
module composes nodes with a SafeLoader subclass, builds plain data itself and records the position
of every key and value by its path. Anchors and aliases are refused outright: they are the vehicle of
"billion laughs" bombs and policies reuse requirements through named groups instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pathrules.errors import Problem

PathKey = tuple[str | int, ...]
MAX_BYTES = 1_048_576
MAX_DEPTH = 64
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


class _StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (only true/false) and no aliases."""

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise _Refused(
                "aliases",
                "anchors and aliases (`*name`) are not allowed",
                event.start_mark,
                "reuse requirements with a named group under `groups:` instead",
            )
        return cast(Node, super().compose_node(parent, index))


_StrictSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Refused(Exception):
    def __init__(self, code: str, message: str, mark: Any, help: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.mark, self.help = code, message, mark, help


@dataclass
class Located:
    """Plain data from a YAML document plus the position of each value and key by path."""

    data: Any
    file: str
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    text: str = field(default="", repr=False)
    ends: dict[PathKey, tuple[int, int]] = field(default_factory=dict, repr=False)

    def position(self, path: PathKey, *, key: bool = False) -> tuple[int | None, int | None]:
        """Position of the value (or its key) at ``path``, else of its nearest ancestor."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        probe = path
        while probe:
            probe = probe[:-1]
            if probe in self.values:
                return self.values[probe]
        return (None, None)

    def problem(self, code: str, message: str, path: PathKey, *, key: bool = False, help: str | None = None) -> Problem:
        line, column = self.position(path, key=key)
        end_line, end_column = self._end(path, key=key)
        return Problem(code, message, self.file, line, column, dotted(path), help, end_line=end_line, end_column=end_column)

    def _end(self, path: PathKey, *, key: bool) -> tuple[int | None, int | None]:
        """Where the located thing ends: the key's own end for a key, else the value's."""
        probe = path
        while probe not in self.ends and probe:
            probe = probe[:-1]
        if key and path in self.keys:
            line, column = self.keys[path]
            return line, column + len(str(path[-1]))
        return self.ends.get(probe, (None, None))


def dotted(path: PathKey) -> str:
    """``('roles', 'peer-mentor', 'requires', 0, 'at_least')`` -> ``roles.peer-mentor.requires[0].at_least``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def load_text(text: str, file: str = "<input>", *, keep_partial: bool = False) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document safely; return the located data or the problems found.

    With ``keep_partial``, a document that parsed but had duplicate keys is returned (first key
    kept) alongside its problems, so a validator can report the rest of the file in the same pass."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        return None, [Problem("too-large", f"file is larger than {MAX_BYTES // 1024} KiB; refusing to read it", file)]
    loader = _StrictSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem("empty", "the file is empty; expected a mapping", file, 1, 1)]
        located = Located(None, file, text=text)
        problems: list[Problem] = []
        located.data = _build(loader, node, (), located, problems, 0)
        return (None if problems and not keep_partial else located), problems
    except _Refused as refused:
        mark = refused.mark
        return None, [Problem(refused.code, refused.message, file, mark.line + 1, mark.column + 1, help=refused.help)]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = f"not valid YAML: {err.problem or err.context}"
        return None, [Problem("yaml-syntax", message, file, line, column)]
    except yaml.YAMLError as err:
        return None, [Problem("yaml-syntax", f"not valid YAML: {err}", file)]
    except RecursionError:
        return None, [Problem("too-deep", "the document is nested too deeply", file)]
    finally:
        loader.dispose()


def load_file(path: str | Path, *, keep_partial: bool = False) -> tuple[Located | None, list[Problem]]:
    """Read and parse a YAML file; unreadable and oversized files become problems, not exceptions."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            return None, [Problem("too-large", f"file is {size} bytes, larger than {MAX_BYTES // 1024} KiB; refusing to read it", name)]
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return None, [Problem("encoding", f"file is not UTF-8 text ({err.reason} at byte {err.start})", name)]
    except OSError as err:
        return None, [Problem("unreadable", f"cannot read the file: {err.strerror or err}", name)]
    return load_text(text, name, keep_partial=keep_partial)


def _build(loader: _StrictSafeLoader, node: Node, path: PathKey, located: Located, problems: list[Problem], depth: int) -> Any:
    located.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    located.ends[path] = (node.end_mark.line + 1, node.end_mark.column + 1)
    if depth > MAX_DEPTH:
        raise _Refused("too-deep", f"the document is nested more than {MAX_DEPTH} levels deep", node.start_mark)
    if node.tag not in _PLAIN_TAGS:
        raise _Refused("yaml-tag", f"the YAML tag `{node.tag}` is not allowed; write plain values", node.start_mark)
    if isinstance(node, ScalarNode):
        return loader.construct_object(node, deep=True)
    if isinstance(node, SequenceNode):
        return [_build(loader, item, path + (i,), located, problems, depth + 1) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            if not isinstance(key_node, ScalarNode):
                raise _Refused("bad-key", "a key must be a plain word, not a list or mapping", mark)
            key = loader.construct_object(key_node)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("aliases", "merge keys (`<<`) are not allowed", mark, "use a named group under `groups:`")
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                first = located.keys[path + (key,)]
                problems.append(
                    Problem(
                        "duplicate-key",
                        f"duplicate key `{key}` (first defined on line {first[0]})",
                        located.file,
                        mark.line + 1,
                        mark.column + 1,
                        dotted(path + (key,)),
                        "each key may appear once in a mapping; the second would silently replace the first",
                    )
                )
                continue
            located.keys[path + (key,)] = (mark.line + 1, mark.column + 1)
            result[key] = _build(loader, value_node, path + (key,), located, problems, depth + 1)
        return result
    raise _Refused("bad-node", "unsupported YAML node", node.start_mark)  # pragma: no cover - composer yields only these
