"""What `pathrules check` loads: only what deciding one person needs (start-up time, docs/engine.md).

Timing is measured in bench/ (`bench/run.py --check-only`), never here; these tests hold the choices
that keep the command quick to what a user can rely on: a good policy and record are decided without
importing the other commands' subsystems or the modules only a mistake needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pathrules.policy.model import Role
from pathrules.record.model import Record

ROOT = Path(__file__).resolve().parent.parent
CHECK = ["check", "--policy", str(ROOT / "bench" / "thesis-policy.yaml"), "--role", "peer-mentor", "--as-of", "2026-06-01"]

_RUN = """
import io, json, sys
from pathrules.cli.main import run
out, err = io.StringIO(), io.StringIO()
code = run(sys.argv[1:], out, err)
print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(), "modules": sorted(sys.modules)}))
"""


def _check(*args: str) -> dict[str, Any]:
    """Run the command line in a fresh interpreter: its exit code, output and every module it loaded."""
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_check_of_a_good_record_loads_no_other_subsystem() -> None:
    result = _check(*CHECK, str(ROOT / "examples" / "amira.yaml"))
    assert result["code"] == 0 and "Peer Mentor" in result["out"]
    modules: list[str] = result["modules"]
    others = ("pathrules.audit", "pathrules.batch", "pathrules.authoring", "pathrules.web", "pathrules.cli.cmd_")
    assert [m for m in modules if m.startswith(others) and m != "pathrules.cli.cmd_check"] == []
    assert "difflib" not in modules  # "did you mean" help is for files with mistakes


def test_check_of_a_record_with_a_mistake_still_suggests_the_field_meant(tmp_path: Path) -> None:
    """The modules left out of a good run are there when a mistake needs them."""
    record = tmp_path / "typo.yaml"
    record.write_text((ROOT / "examples" / "amira.yaml").read_text(encoding="utf-8").replace("training:", "trainin:", 1), encoding="utf-8")
    result = _check(*CHECK, str(record))
    assert result["code"] == 1
    assert "did you mean `training`?" in result["err"]


def test_list_fields_left_out_are_a_new_empty_list_for_each_object() -> None:
    """Default lists are made per object (``fields.new_list``), never one list shared between them."""
    first, second = Record(person="a"), Record(person="b")
    assert first.training == [] and first.training is not second.training
    assert Role(title="a").requires == [] and Role(title="a").requires is not Role(title="b").requires
