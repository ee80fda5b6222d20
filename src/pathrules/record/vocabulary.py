"""Words a record and a policy share (kinds of lived experience), in a module with no imports of
its own so that both the record model and the requirement kinds can use them without a cycle."""

from __future__ import annotations

from typing import Literal

ExperienceOf = Literal["own-substance-use", "family-substance-use", "offending", "homelessness", "exclusion", "mental-health"]
EXPERIENCE_NAMES: dict[str, str] = {
    "own-substance-use": "their own alcohol or drug use",
    "family-substance-use": "a family member's alcohol or drug use",
    "offending": "offending",
    "homelessness": "homelessness",
    "exclusion": "exclusion",
    "mental-health": "mental ill health",
}
