"""The YAML format of policy tests (beside each policy, in `policies/tests/`).

    policy: ../thesis-appendix-organisation.yaml     # relative to this file
    defaults: {role: peer-mentor, as_of: 2026-11-23} # optional, for every case
    cases:
      - name: Amira can start before her DBS check comes back
        record: ../../examples/amira.yaml            # a file, or the record inline
        expect:
          outcome: conditional
          eligible_from: 2026-11-23
          requirements: {"*": met}                   # "*": every requirement not named
          activities: {one-to-one-unsupervised: false}
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pathrules.decision import DutyStatus, Outcome, Status
from pathrules.located_errors import HOURS_PATTERN


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    outcome: Outcome | None = None
    eligible_from: _dt.date | None = None
    eligible_until: _dt.date | None = None
    requirements: dict[str, Status] = Field(default_factory=dict, description='Requirement id -> status; "*" applies to every requirement not named.')
    activities: dict[str, bool] = Field(default_factory=dict, description="Activity id -> allowed.")
    no_eligible_from: bool = Field(default=False, description="Assert that there is no eligible_from date.")
    stage: str | None = Field(default=None, description="For a staged role: the stage reached (its id), or `none`.")
    entitlements: dict[str, str] = Field(
        default_factory=dict,
        description='Entitlement id -> the amount it gives that day as text (`"15.00"`), `none` when it does not apply, `words` for one with no figure.',
    )
    service_owes: dict[str, DutyStatus] = Field(default_factory=dict, description="Service duty id -> `met` or `behind` (the person must be in post).")


class Defaults(_Strict):
    role: str | None = None
    from_role: str | None = None
    as_of: _dt.date | None = None


class Case(_Strict):
    name: str
    record: str | dict[str, Any]
    hours: str | None = Field(default=None, pattern=HOURS_PATTERN, description='Hours worked on the day, for `entitlements` (as text: `"3.5"`).')
    role: str | None = None
    from_role: str | None = None
    as_of: _dt.date | None = None
    placement: str | None = Field(default=None, description="Decide for this placement (a team, or service/team).")
    expect: Expect


class TestFile(_Strict):
    policy: str = Field(description="The policy file, relative to this test file.")
    defaults: Defaults = Field(default_factory=Defaults)
    cases: list[Case] = Field(min_length=1)
