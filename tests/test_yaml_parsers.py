"""libyaml reads a policy or record exactly as the pure-Python loader does, or not at all.

`pathrules.yamlsource` reads documents with libyaml's parser when it can (speed, docs/engine.md) and
falls back to PyYAML's pure-Python loader whenever libyaml fails. A user must never see the
difference: the same data, the same positions of every key and value, the same problems with the same
lines, columns and messages. These tests read the same text both ways and compare everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from example_counts import examples
from pathrules import yamlsource

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not yamlsource._LIBYAML, reason="PyYAML built without libyaml")


def _read(text: str, *, libyaml: bool, json: bool = False) -> Any:
    saved = yamlsource._LIBYAML
    yamlsource._LIBYAML = libyaml
    try:
        located, problems = yamlsource.load_text(text, "doc.yaml", json=json, keep_partial=True)
    finally:
        yamlsource._LIBYAML = saved
    if located is None:
        return None, problems
    seen = (located.data, located.values, located.keys, located.ends)
    return repr(seen), problems  # repr: nan != nan, but the same text either way


def _same(text: str, *, json: bool = False) -> None:
    assert _read(text, libyaml=True, json=json) == _read(text, libyaml=False, json=json)


SHIPPED = sorted(
    [*ROOT.glob("policies/*.yaml"), *ROOT.glob("examples/*.yaml"), *ROOT.glob("bench/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")]
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_document_reads_the_same(path: Path) -> None:
    _same(path.read_text(encoding="utf-8"))


TRICKY = [
    "a: 1\na: 2\n",  # duplicate key: the problem and its line
    "a: &x 1\nb: *x\n",  # aliases refused
    "<<: {a: 1}\n",  # merge keys refused
    "a: !!python/object:os.system x\n",  # tags refused
    "a:\n\t- 1\n",  # a tab as indentation
    "a: b: c\n",  # syntax error
    "a: [1, 2\n",  # unclosed flow
    "a: 'x\n",  # unclosed quote
    "a: \"\\ud800\"\n",  # a lone surrogate escape
    "a: \"\\0\"\n",  # an escaped control character
    "a: \x07\n",  # a raw control character
    "a: yes\nb: no\nc: on\nd: 017\ne: 1_000\nf: 0x1F\ng: 1:20\nh: 2026-02-30\ni: .inf\nj: -.NaN\n",
    "a: 1e-05\nb: \"1e-05\"\nc: 10\n",  # JSON numbers (plain only)
    "- - - 1\n",
    "[" * 70 + "]" * 70 + "\n",  # too deep
    "?\n",
    "? [a]\n: 1\n",  # a complex key
    "%YAML 1.2\n---\na: 1\n",
    "--- a\n--- b\n",  # two documents
    "",
    "# only a comment\n",
    "a: é — ünïcode\nb: [x, 'ÿ']\nc: \"\\u00e9\"\n",  # columns count characters, not bytes
    "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n",
    "a: 9" + "9" * 4400 + "\n",  # an over-long integer
]


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("json", [False, True])
def test_tricky_documents_read_the_same(text: str, json: bool) -> None:
    _same(text, json=json)


PIECES = st.sampled_from(
    ["a", "b", "1", "-1", "1.5", "true", "no", "2026-01-31", "~", "null", ":", ": ", "- ", "-", "\n", "\n  ", "  ", "\t",
     "[", "]", "{", "}", ",", "'", '"', "\\", "#", "&x", "*x", "!", "?", "|", ">", "%", "@", "é", "—", "<<", "---", "...", "\r\n",
     # other line breaks YAML knows (a lone CR, NEL, LS, PS), refused characters and characters outside the BMP
     "\r", "\x85", "\u2028", "\u2029", "\x00", "\x1b", "\ud800", "\U0001f600", "\u00a0", "|-\n", ">+\n", "'it''s'", "0o17", "+1", ".5"]
)


@settings(max_examples=examples(300), deadline=None)
@given(text=st.lists(PIECES, max_size=40).map("".join), json=st.booleans())
def test_any_text_reads_the_same_either_way(text: str, json: bool) -> None:
    _same(text, json=json)
