"""Where a rule comes from: the study and section it is read from, or the organisation's own choice.

A shipped policy is the first thing an organisation copies, so each rule says where it comes from and
whether the source states it as a written rule, describes it as practice, or only advises it; a rule
no source gives says plainly that it is the organisation's own choice. Citations are for staff (the
handbook, `pathrules roles`, the staff view of a decision), never for the person's letter.
"""

# No `from __future__ import annotations` in this module of models: pydantic would evaluate every
# annotation from its text at class creation, which costs `pathrules check` time (docs/engine.md, start-up).

from typing import Literal

from pydantic import Field, model_validator

from pathrules.policy.fields import Strict

Study = Literal["thesis", "howard-league", "sharps", "mac-uk", "dublin-guide", "organisation-choice"]
SourceKind = Literal["written-rule", "practice", "advice", "organisation-choice"]

STUDY_TITLES: dict[str, str] = {
    "thesis": "Soondar (2023), PhD thesis, Middlesex University",
    "howard-league": 'Howard League, "Takes one to know one?"',
    "sharps": "SHARPS study, Harm Reduction Journal 21:191 (2024)",
    "mac-uk": "MAC-UK Integrate peer mentor article",
    "dublin-guide": '"Doing Peer Work" guide, Dublin South Inner City (2023)',
    "organisation-choice": "the organisation's own choice",
}
KIND_WORDS: dict[str, str] = {
    "written-rule": "written rule",
    "practice": "described practice, not a written rule",
    "advice": "advice to services, not a rule",
    "organisation-choice": "the organisation's own choice: no source gives it",
}


class Source(Strict):
    """One citation: a known study and its section (with a short quote where it helps), or the
    organisation's own choice (with a note saying why, e.g. which figure the study does not give)."""

    study: Study = Field(description="One of the five source studies, or organisation-choice when no source gives the rule.")
    section: str | None = Field(
        default=None, min_length=1, max_length=300, description='Section or page, e.g. "appendix 3, Safer Recruitment Checks" or "§4.3 (p.30)".'
    )
    quote: str | None = Field(default=None, min_length=1, max_length=2000, description="A short verbatim quote from the source.")
    kind: SourceKind = Field(description="written-rule, practice (described, not written), advice, or organisation-choice.")
    note: str | None = Field(
        default=None, min_length=1, max_length=2000, description="What the source does not say, or why the organisation chose this."
    )

    @model_validator(mode="after")
    def _consistent(self) -> "Source":
        if self.study == "organisation-choice":
            if self.kind != "organisation-choice":
                raise ValueError("a rule that is the organisation's own choice has `kind: organisation-choice`")
            if self.section or self.quote:
                raise ValueError("the organisation's own choice has no `section` or `quote`: cite a study instead, or say why in `note`")
        elif not self.section:
            raise ValueError(f"a citation of `{self.study}` needs the `section` (or page) it is read from")
        return self

    def text(self) -> str:
        """The citation as staff read it: `<study>, <section>: "<quote>" (written rule); <note>`."""
        note = f"{self.note.strip()}" if self.note else ""
        if self.study == "organisation-choice":
            return KIND_WORDS["organisation-choice"] + (f" ({note})" if note else "")
        cited = f"{STUDY_TITLES[self.study]}, {(self.section or '').strip()}"
        if self.kind == "organisation-choice":
            return f"the organisation's own choice (context: {cited})" + (f"; {note}" if note else "")
        if self.quote:
            cited += f': "{" ".join(self.quote.split())}"'
        cited += f" ({KIND_WORDS[self.kind]})"
        return cited + (f"; {note}" if note else "")


class Note(Strict):
    """A fact about a role that is not a gate (hours, length, pay), with where it comes from."""

    text: str = Field(min_length=1)
    source: Source | None = None


def note_text(note: str | Note) -> str:
    """A role note's words, whether written as plain text or as `{text, source}`."""
    return note if isinstance(note, str) else note.text


def cited(source: Source | None) -> str | None:
    """A citation as staff read it, or None (never shown to the person)."""
    return None if source is None else source.text()


__all__ = ["KIND_WORDS", "STUDY_TITLES", "Note", "Source", "SourceKind", "Study", "cited", "note_text"]
