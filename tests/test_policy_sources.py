"""Every rule says where it comes from: validated, shown to staff, linted, never in the person's letter;
and every quote in a shipped policy is found, word for word, in the study it cites."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

import pathrules
from conftest import POLICIES, ROOT
from pathrules.authoring.handbook import html_page, markdown
from pathrules.authoring.lint import lint
from pathrules.cli.main import run
from pathrules.describe import describe_policy, roles_text
from pathrules.evaluation.render import render_text
from pathrules.policy.source import KIND_WORDS, STUDY_TITLES, Note, Source

# Words that only a citation brings into a text: each marker below is written once, in one `source`.
QUOTE = "free from problematic drug and alcohol use"
MARKERS = {
    "role": "ROLE-SECTION-7",
    "requirement": QUOTE,
    "vetting": "VETTING-SECTION-3",
    "activity": "ACTIVITY-SECTION-5",
    "duty": "DUTY-SECTION-9",
    "decision": "DECISION-NOTE-2",
    "stage": "STAGE-SECTION-4",
    "entitlement": "ENTITLEMENT-SECTION-6",
    "note": "NOTE-SECTION-8",
    "progression": "PROGRESSION-SECTION-1",
    "age": "the source gives no age",
}

POLICY = f"""
policy: sourced
organisation: Sourced Org
version: "1"
effective_from: 2026-01-01
roles:
  mentor:
    title: Mentor
    source: {{study: thesis, section: {MARKERS["role"]}, kind: written-rule}}
    requires:
      - id: stable
        kind: abstinence
        substances: [illicit-drugs]
        at_least: 3 months
        because: settled in recovery first
        source: {{study: thesis, section: "appendix 3, Background", quote: "{QUOTE}", kind: written-rule}}
      - id: adult
        kind: age
        at_least: 18
        source: {{study: organisation-choice, kind: organisation-choice, note: {MARKERS["age"]}}}
      - id: dbs
        kind: vetting
        scheme: dbs
        level: enhanced
        status: applied
        source: {{study: thesis, section: {MARKERS["vetting"]}, kind: written-rule}}
    activities:
      one-to-one:
        title: one-to-one work
        source: {{study: thesis, section: {MARKERS["activity"]}, kind: written-rule}}
        requires:
          - {{id: dbs-back, kind: vetting, scheme: dbs, level: enhanced, status: returned}}
    owes:
      - id: supervision
        kind: supervision
        at_least: 1
        within: 1 month
        because: You should have regular supervision.
        source: {{study: thesis, section: {MARKERS["duty"]}, kind: practice}}
    decisions:
      - id: dbs-decision
        title: what the certificate means for the role
        after: {{returned: dbs}}
        within: 5 days
        decided_by: volunteer-services
        recorded_as: dbs-decision
        source: {{study: organisation-choice, kind: organisation-choice, note: {MARKERS["decision"]}}}
    stages:
      - id: stage-1
        title: Stage 1
        signed_off_by: [supervisor]
        source: {{study: thesis, section: {MARKERS["stage"]}, kind: written-rule}}
    entitlements:
      - id: travel
        title: travel expenses
        up_to: "15.00"
        currency: GBP
        source: {{study: thesis, section: {MARKERS["entitlement"]}, kind: written-rule}}
    notes:
      - text: Placement of typically 3 to 6 months.
        source: {{study: thesis, section: {MARKERS["note"]}, kind: written-rule}}
      - Plain text notes still work.
  volunteer:
    title: Volunteer
    source: {{study: thesis, section: "appendix 3", kind: written-rule}}
    requires:
      - {{id: adult-volunteer, kind: age, at_least: 18, source: {{study: organisation-choice, kind: organisation-choice}}}}
progressions:
  - from: mentor
    to: volunteer
    source: {{study: thesis, section: {MARKERS["progression"]}, kind: written-rule}}
    requires:
      - {{id: placed, kind: time_in_role, role: mentor, at_least: 3 months, source: {{study: thesis, section: "appendix 3", kind: written-rule}}}}
"""

CANDIDATE = {
    "person": "ada",
    "date_of_birth": "1990-01-01",
    "substance_use": [{"substance": "illicit-drugs", "last_use": "2026-05-20"}],
    "vetting": [{"scheme": "dbs", "level": "enhanced", "applied_on": "2026-04-01", "documents_verified": True, "issued_on": "2026-05-01", "disclosure": False}],
}
IN_POST = {**CANDIDATE, "person": "bea", "roles_held": [{"role": "mentor", "organisation": "sourced", "started_on": "2025-01-01"}], "substance_use": []}
ON = dt.date(2026, 6, 1)


def _loaded() -> pathrules.LoadedPolicy:
    return pathrules.load_policy_text(POLICY)


def _decide(record: dict[str, Any]) -> pathrules.Decision:
    return pathrules.Evaluator(_loaded(), engine="python").evaluate(record, "mentor", as_of=ON)


def _citation_words(text: str) -> list[str]:
    """Every citation marker, study title or kind word that `text` contains."""
    words = [*MARKERS.values(), *STUDY_TITLES.values(), *KIND_WORDS.values(), "appendix 3", "source:", "Source:"]
    return [w for w in words if w in text]


def test_a_candidates_staff_view_cites_each_rule_and_the_json_carries_it() -> None:
    decision = _decide(CANDIDATE)
    assert decision.outcome == "not_yet" and decision.waiting_on_service  # something unmet, a decision overdue
    staff = render_text(decision, audience="staff")
    assert f'"{QUOTE}" (written rule)' in staff
    assert "the organisation's own choice: no source gives it (the source gives no age)" in staff
    assert MARKERS["vetting"] in staff and MARKERS["activity"] in staff and MARKERS["decision"] in staff
    data = decision.to_json_data()
    assert QUOTE in {r["id"]: r for r in data["requirements"]}["stable"]["source"]
    assert MARKERS["activity"] in data["activities"][0]["source"]


def test_the_service_owes_section_cites_the_duty_for_staff() -> None:
    decision = _decide(IN_POST)
    supervision = {d.id: d for d in decision.service_owes}["supervision"]
    assert supervision.status == "behind" and supervision.source and MARKERS["duty"] in supervision.source
    assert MARKERS["duty"] in render_text(decision, audience="staff")


@pytest.mark.parametrize("record", [CANDIDATE, IN_POST], ids=["candidate", "in-post"])
def test_the_persons_letter_never_cites_a_source(record: dict[str, Any]) -> None:
    decision = _decide(record)
    letter = render_text(decision, audience="person")
    assert "still needed" in letter.lower() or "service owes you" in letter  # the letter has something to say
    assert _citation_words(letter) == []
    assert decision.letter is not None and _citation_words(decision.letter.model_dump_json()) == []


def test_check_for_person_on_the_command_line_never_cites_a_source(tmp_path: Path) -> None:
    policy, record = tmp_path / "sourced.yaml", tmp_path / "bea.yaml"
    policy.write_text(POLICY)
    record.write_text(_yaml(IN_POST))
    out, err = io.StringIO(), io.StringIO()
    run(["check", "--policy", str(policy), "--role", "mentor", "--as-of", ON.isoformat(), "--for", "person", "--no-color", str(record)], out, err)
    assert "service owes you" in out.getvalue(), err.getvalue()
    assert _citation_words(out.getvalue()) == []
    staff = io.StringIO()
    run(["check", "--policy", str(policy), "--role", "mentor", "--as-of", ON.isoformat(), "--no-color", str(record)], staff, err)
    assert MARKERS["duty"] in staff.getvalue()


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def test_roles_and_the_handbook_cite_every_rule_a_policy_author_states() -> None:
    policy = _loaded().policy
    for text in (roles_text(policy), markdown(policy), html_page(policy)):
        missing = [where for where, marker in MARKERS.items() if marker not in text]
        assert missing == [], missing
    assert isinstance(policy.roles["mentor"].notes[0], Note)
    assert describe_policy(policy)["roles"][0]["notes"] == ["Placement of typically 3 to 6 months.", "Plain text notes still work."]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("{study: the-bible, section: x, kind: practice}", "study"),
        ("{study: thesis, kind: written-rule}", "needs the `section`"),
        ("{study: thesis, section: '', kind: written-rule}", "section"),
        ("{study: organisation-choice, kind: practice}", "kind: organisation-choice"),
        ("{study: organisation-choice, section: p.3, kind: organisation-choice}", "no `section` or `quote`"),
        ("{study: organisation-choice, quote: we decided, kind: organisation-choice}", "no `section` or `quote`"),
        ("{study: thesis, section: x, kind: rumour}", "kind"),
        ("{study: thesis, section: x, kind: written-rule, page: 4}", "page"),
        ("appendix 3", "source"),
    ],
)
def test_a_source_that_names_no_known_study_or_section_is_a_located_error(tmp_path: Path, source: str, expected: str) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(POLICY.replace(f"{{study: thesis, section: {MARKERS['role']}, kind: written-rule}}", source))
    out, err = io.StringIO(), io.StringIO()
    assert run(["validate", str(file)], out, err) == 1
    text = out.getvalue() + err.getvalue()
    assert re.search(r"bad\.yaml:9:\d+: error\[[a-z-]+\]: roles\.mentor\.source", text), text
    assert expected in text
    assert "Traceback" not in text


def test_lint_asks_for_a_source_only_in_a_policy_that_cites_some() -> None:
    unsourced = POLICY.replace(f"        source: {{study: organisation-choice, kind: organisation-choice, note: {MARKERS['age']}}}\n", "")
    found = [d for d in lint(pathrules.load_policy_text(unsourced)) if d.code == "missing-source"]
    # the age rule just unsourced, and the two places POLICY leaves without a source on purpose
    assert sorted(d.path for d in found) == ["roles.mentor.activities.one-to-one.requires[0]", "roles.mentor.notes[1]", "roles.mentor.requires[1]"]
    assert {d.severity for d in found} == {"warning"}
    bare = pathrules.load_policy_text(_without_sources(unsourced))
    assert list(sources_in(bare.policy)) == []
    assert not [d for d in lint(bare) if d.code == "missing-source"]


def _without_sources(text: str) -> str:
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "source"}
        if isinstance(value, list):
            return [v["text"] if isinstance(v, dict) and set(v) == {"text", "source"} else strip(v) for v in value]
        return value

    return _yaml(strip(yaml.safe_load(text)))


# ---- quotes in shipped policies are verbatim --------------------------------------------------

STUDY_FILES = {
    "thesis": "thesis-soondar-2023.txt",
    "howard-league": "howard-league-takes-one-to-know-one.txt",
    "sharps": "sharps-harm-reduction-journal-2024.txt",
    "mac-uk": "mac-uk-peer-intervention-article.txt",
    "dublin-guide": "dublin-doing-peer-work-guide-2023.txt",
}
_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})
_GAP = re.compile(r"\s*(?:\.\.\.|…)\s*")
GAP_LIMIT = 400  # characters allowed between the pieces of a quote with an ellipsis (table columns, a skipped clause)


def normalised(text: str) -> str:
    """Whitespace runs as one space and curly quote marks as straight ones; case is kept."""
    return " ".join(text.translate(_QUOTE_MARKS).split())


def quote_found(quote: str, text: str) -> bool:
    """Whether `quote` occurs in `text` (both normalised); `...` or `…` in the quote stands for words left
    out, so its pieces must occur in order, each within GAP_LIMIT characters of the one before."""
    pieces = [p for p in _GAP.split(normalised(quote)) if p]
    haystack = normalised(text)
    if not pieces:
        return False
    start = haystack.find(pieces[0])
    while start != -1:
        end, ok = start + len(pieces[0]), True
        for piece in pieces[1:]:
            at = haystack.find(piece, end)
            if at == -1 or at - end > GAP_LIMIT:
                ok = False
                break
            end = at + len(piece)
        if ok:
            return True
        start = haystack.find(pieces[0], start + 1)
    return False


def sources_dir() -> Path | None:
    """The shared studies, kept outside the repository: beside it (`../shared/sources`) or at /work."""
    for candidate in (ROOT.parent / "shared" / "sources", ROOT.parent.parent / "shared" / "sources", Path("/work/shared/sources")):
        if all((candidate / name).is_file() for name in STUDY_FILES.values()):
            return candidate
    return None


def sources_in(value: Any, path: str = "") -> Iterator[tuple[str, Source]]:
    """Every `Source` anywhere in a policy model, with where it is."""
    if isinstance(value, Source):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from sources_in(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from sources_in(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from sources_in(item, f"{path}[{index}]")


@pytest.mark.parametrize(
    "quote, text, found",
    [
        ("free from problematic use", "is  stable and\n free from problematic use.", True),
        ("the ‘staged approach’", "the 'staged approach' is", True),
        ("“peer led”", 'unless "peer led" and', True),
        ("Free from problematic use", "free from problematic use", False),  # case-sensitive
        ("free from use", "free from problematic use", False),
        ("free from … drug and alcohol use", "free from\tattending forums\nproblematic drug and alcohol use", True),
        ("free from ... alcohol use", "free from " + "x " * 300 + "alcohol use", False),
        ("alcohol use ... free from", "free from problematic drug and alcohol use", False),  # pieces in order
    ],
)
def test_a_quote_is_matched_word_for_word_ignoring_only_spacing_and_quote_marks(quote: str, text: str, found: bool) -> None:
    assert quote_found(quote, text) is found


def test_the_sources_walk_finds_every_citation_in_a_policy() -> None:
    found = dict(sources_in(_loaded().policy))
    assert len(found) == 14  # every `source:` written in POLICY
    assert len(found) == POLICY.count("source: {")
    assert found["roles.mentor.notes[0].source"].section == MARKERS["note"]


@pytest.mark.parametrize("policy_file", sorted(POLICIES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_quote_in_a_shipped_policy_is_in_the_study_it_cites(policy_file: Path) -> None:
    folder = sources_dir()
    if folder is None:
        pytest.skip("the source studies are not beside this checkout (../shared/sources or /work/shared/sources); quotes not checked")
    texts = {study: (folder / name).read_text(encoding="utf-8") for study, name in STUDY_FILES.items()}
    policy = pathrules.load_policy(policy_file).policy
    wrong = [
        f"{where}: {source.study} does not contain {source.quote!r}"
        for where, source in sources_in(policy)
        if source.quote and source.study in texts and not quote_found(source.quote, texts[source.study])
    ]
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("policy_file", sorted(POLICIES.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_shipped_policy_letter_cites_a_source(policy_file: Path) -> None:
    loaded = pathrules.load_policy(policy_file)
    cited = [s for _, s in sources_in(loaded.policy)]
    words = {w.strip() for s in cited for w in (s.section, s.quote, s.note) if w and len(w.strip()) > 12}
    record = pathrules.load_record_text("person: someone\n")
    for role_id in loaded.policy.roles:
        decision = pathrules.evaluate(loaded, record, role_id, as_of=dt.date(2026, 11, 23))
        letter = render_text(decision, audience="person")
        assert [w for w in words if w in letter] == []
        assert [r.id for r in decision.requirements if r.source and r.source in letter] == []
        assert "source:" not in letter.lower() and not any(title in letter for title in STUDY_TITLES.values())


def test_the_web_role_page_cites_each_rule_for_staff(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from test_web_support import ACCOUNTS, PASSWORD, Web, signed_in

    from pathrules.web import Settings, create_app
    from pathrules.web.accounts import Accounts

    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "sourced.yaml").write_text(POLICY)
    accounts = Accounts(tmp_path / "users.json")
    accounts.add("cora", ACCOUNTS["cora"], PASSWORD)
    settings = Settings(policies=tmp_path / "policies", audit=tmp_path / "decisions.db", users=tmp_path / "users.json", engine="python")
    page = signed_in(Web(create_app(settings), settings, {}), "cora").get("/policies/sourced/roles/mentor").text  # type: ignore[attr-defined]
    missing = [where for where, marker in MARKERS.items() if where != "progression" and marker not in page]
    assert missing == [], missing
