"""Safe YAML that remembers where every value came from.

PyYAML's ``safe_load`` throws line numbers away, follows YAML 1.1 (``no``/``off`` become booleans)
and keeps the last of two duplicate keys without a word. Policy authors need all three fixed, so this
module composes nodes with a SafeLoader subclass, builds plain data itself and records the position
of every key and value by its path. Anchors and aliases are refused outright: they are the vehicle of
"billion laughs" bombs and policies reuse requirements through named groups instead.

Numbers, booleans and dates are read by the part of YAML 1.1 that YAML 1.2 agrees with: `1:20` is
text (not the sexagesimal 80), `017` is seventeen (not octal 15), `1_000` and `0x1F` are text, and only
`YYYY-MM-DD` is a date (a datetime stays text, so a date field refuses it). In a .json file, JSON's
numbers (`1e-05`) are numbers. Whatever a value holds, reading it never
raises: an over-long integer, a control character or a lone surrogate is a located Problem.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.composer import Composer
try:
    from yaml._yaml import CParser

    _LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml: the pure-Python loader alone
    _LIBYAML = False
    CParser = object  # type: ignore[misc,assignment]  # never instantiated without libyaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import Resolver
from yaml.reader import ReaderError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pathrules.errors import Problem

PathKey = tuple[str | int, ...]
MAX_BYTES = 1_048_576
MAX_DEPTH = 64
_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


class _Guards(Composer):
    """The composer's guards, shared by the pure-Python loader and the libyaml one: no aliases, bounded depth."""

    depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        events: Any = self  # the parser (pure-Python or libyaml) is the other base of the loader
        if self.depth >= MAX_DEPTH:  # PyYAML composes recursively: refuse before Python's stack does
            event = events.peek_event()
            raise _Refused("too-deep", f"the document is nested more than {MAX_DEPTH} levels deep", event.start_mark)
        if events.check_event(AliasEvent):
            event = events.peek_event()
            raise _Refused(
                "aliases",
                "anchors and aliases (`*name`) are not allowed",
                event.start_mark,
                "reuse requirements with a named group under `groups:` instead",
            )
        self.depth += 1
        try:
            return cast(Node, super().compose_node(parent, index))
        finally:
            self.depth -= 1


class _StrictSafeLoader(_Guards, yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans (only true/false) and no aliases."""


_YAML11_ONLY = frozenset("tag:yaml.org,2002:" + name for name in ("bool", "int", "float", "timestamp"))
_StrictSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictSafeLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$", re.ASCII), list("-+0123456789"))
_StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", re.ASCII),
    list("-+.0123456789"),
)
_StrictSafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp", re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", re.ASCII), list("0123456789")
)


class _LibyamlLoader(_Guards, CParser, SafeConstructor, Resolver):
    """The same composer, guards, constructors and resolvers over libyaml's parser (events only).

    Why: PyYAML's pure-Python scanner is most of the time of reading a policy (about 27 ms against 3 ms
    for the shipped thesis policy), and `pathrules check` reads one every run. Only documents libyaml
    parses without any error take this path; anything it refuses is read again by `_StrictSafeLoader`,
    so every problem, message and position is the pure-Python loader's. Composing stays in Python
    (`_Guards` before `CParser` in the MRO), so aliases and depth are refused exactly as before."""

    yaml_implicit_resolvers = _StrictSafeLoader.yaml_implicit_resolvers

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_scalar_node(self, anchor: Any) -> ScalarNode:
        node = super().compose_scalar_node(anchor)
        if node.style == "":  # libyaml names the plain style "", PyYAML None (read by the JSON number rule)
            node.style = None
        return node


# In JSON every string is quoted, so a plain scalar in a .json file that JSON reads as a number is one
# (`1e-05`), although YAML 1.1 reads it as text. The YAML forms above stay a subset of YAML 1.1's so
# that whatever PyYAML's safe_dump writes unquoted as text is read back as text.
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?", re.ASCII)
_STR = "tag:yaml.org,2002:str"
_INT, _FLOAT, _BOOL, _TIMESTAMP = ("tag:yaml.org,2002:" + name for name in ("int", "float", "bool", "timestamp"))
# C0 controls but tab, line feed and carriage return; DEL; C1 controls but NEL (a YAML line break);
# lone surrogates (they cannot be written out as UTF-8). PyYAML's reader refuses raw ones in the file
# but not the ones written as escapes in double quotes (`"\0"`, `"\ud800"`).
BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a value (a control character or a lone surrogate), else None."""
    found = BAD_TEXT.search(text)
    if found is None:
        return None
    kind = "a lone surrogate" if 0xD800 <= ord(found.group()) <= 0xDFFF else "a control character"
    return f"the text contains {kind} (U+{ord(found.group()):04X}); expected printable text"


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
    json: bool = False
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

    def placed(self, problems: list[Problem], under: PathKey = ()) -> list[Problem]:
        """Problems found after the data loaded (an attribute the policy declares another type), each
        at the line and column of its field; ``under``: where the data sits in this document. Their
        paths are dotted names (``attributes.caseload``); a problem without one is kept as it is."""
        return [self.problem(p.code, p.message, under + tuple(p.path.split(".")), help=p.help) if p.path else p for p in problems]

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


def load_text(text: str, file: str = "<input>", *, json: bool = False, keep_partial: bool = False) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document (``json``: a JSON document) safely; return the located data or the problems found.

    With ``keep_partial``, a document that parsed but had problems (duplicate keys, unreadable values) is
    returned alongside its problems, so a validator can report the rest of the file in the same pass."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        return None, [Problem("too-large", f"file is larger than {MAX_BYTES // 1024} KiB; refusing to read it", file)]
    if _LIBYAML and text.endswith("\n") and not _LIBYAML_DIFFERS.search(text):
        fast = _libyaml_parse(text, file, json=json, keep_partial=keep_partial)
        if fast is not None:
            return fast
    try:
        loader = _StrictSafeLoader(text)
    except ReaderError as err:
        return None, [_reader_problem(err, text, file)]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem("empty", "the file is empty; expected a mapping", file, 1, 1)]
        located = Located(None, file, text=text, json=json)
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
    except ReaderError as err:
        return None, [_reader_problem(err, text, file)]
    except yaml.YAMLError as err:
        return None, [Problem("yaml-syntax", f"not valid YAML: {err}", file)]
    except RecursionError:
        return None, [Problem("too-deep", "the document is nested too deeply", file)]
    finally:
        loader.dispose()


# Where libyaml and PyYAML's pure-Python loader were found to read a text differently
# (tests/test_yaml_parsers.py): tabs, a byte-order mark, tags (`!`). Such texts take the pure-Python path.
_LIBYAML_DIFFERS = re.compile("[\t\ufeff!]")


def _libyaml_parse(text: str, file: str, *, json: bool, keep_partial: bool) -> tuple[Located | None, list[Problem]] | None:
    """What `load_text` gives, read with libyaml's parser; None when that path fails in any way (the
    caller then reads the text with the pure-Python loader, whose problems are the ones reported).
    A byte-order mark also takes the pure-Python path (the two parsers treat it differently)."""
    loader = None
    try:
        loader = _LibyamlLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        located = Located(None, file, text=text, json=json)
        problems: list[Problem] = []
        located.data = _build(loader, node, (), located, problems, 0)
        return (None if problems and not keep_partial else located), problems
    except Exception:  # noqa: BLE001 - any failure: the pure-Python loader reads it and says why
        return None
    finally:
        if loader is not None:
            loader.dispose()


def load_file(path: str | Path, *, keep_partial: bool = False) -> tuple[Located | None, list[Problem]]:
    """Read and parse a YAML file; unreadable, oversized and non-text files become problems, not exceptions.

    Only regular files are read (a device such as /dev/zero, a FIFO or a folder is refused before it is
    opened), and never more than MAX_BYTES + 1 bytes, so a file that grows while read is still bounded.
    """
    name = str(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None, [Problem("not-a-file", "not a regular file; expected a YAML or JSON file", name)]
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        return None, [Problem("unreadable", f"cannot read the file: {err.strerror or err}", name)]
    if len(data) > MAX_BYTES:
        return None, [Problem("too-large", f"file is larger than {MAX_BYTES // 1024} KiB; refusing to read it", name)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = _byte_position(data, err.start)
        return None, [Problem("encoding", f"file is not UTF-8 text ({err.reason} at byte {err.start})", name, line, column)]
    return load_text(text, name, json=Path(path).suffix.lower() == ".json", keep_partial=keep_partial)


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters) of byte ``offset`` of ``data``."""
    before = data[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", errors="replace")) + 1


def _reader_problem(err: ReaderError, text: str, file: str) -> Problem:
    before = text[: err.position]
    line, column = before.count("\n") + 1, err.position - (before.rfind("\n") + 1) + 1
    character = err.character if isinstance(err.character, str) else chr(err.character)
    return Problem("control-character", f"the file contains a control character (U+{ord(character):04X}); expected text", file, line, column)


def _scalar(loader: SafeConstructor, node: ScalarNode, path: PathKey, located: Located, problems: list[Problem]) -> Any:
    """The value of a scalar by YAML 1.2's core schema; unreadable values become located problems."""
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    text = node.value

    def refuse(code: str, message: str) -> None:
        problems.append(Problem(code, message, located.file, line, column, dotted(path)))

    if node.tag == _STR and located.json and node.style is None and _JSON_NUMBER.fullmatch(text):
        return float(text)  # whole numbers resolved as int already; 1e400 is infinity, refused by number fields
    if node.tag == _INT:
        try:
            return int(text)
        except ValueError:
            refuse("invalid-value", "expected a whole number of at most 4300 digits")
            return None
    if node.tag == _FLOAT:
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")
        try:
            return float(text)
        except ValueError:
            refuse("invalid-value", "expected a number")
            return None
    if node.tag == _BOOL:
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        refuse("invalid-value", "expected true or false")
        return None
    if node.tag == _TIMESTAMP:
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            return text  # not a calendar date: a date field says so, a text field keeps it
    value = loader.construct_object(node, deep=True)
    if isinstance(value, str) and (reason := text_problem(value)):
        refuse("control-character", reason)
        return None
    return value


def _build(loader: SafeConstructor, node: Node, path: PathKey, located: Located, problems: list[Problem], depth: int) -> Any:
    located.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    located.ends[path] = (node.end_mark.line + 1, node.end_mark.column + 1)
    if depth > MAX_DEPTH:
        raise _Refused("too-deep", f"the document is nested more than {MAX_DEPTH} levels deep", node.start_mark)
    if node.tag not in _PLAIN_TAGS:
        raise _Refused("yaml-tag", f"the YAML tag `{node.tag}` is not allowed; write plain values", node.start_mark)
    if isinstance(node, ScalarNode):
        return _scalar(loader, node, path, located, problems)
    if isinstance(node, SequenceNode):
        return [_build(loader, item, path + (i,), located, problems, depth + 1) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            if not isinstance(key_node, ScalarNode):
                raise _Refused("bad-key", "a key must be a plain word, not a list or mapping", mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("aliases", "merge keys (`<<`) are not allowed", mark, "use a named group under `groups:`")
            if key_node.tag not in _PLAIN_TAGS:
                raise _Refused("yaml-tag", f"the YAML tag `{key_node.tag}` is not allowed; write plain values", mark)
            key = _scalar(loader, key_node, path, located, problems)
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
