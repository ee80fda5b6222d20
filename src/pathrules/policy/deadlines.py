"""Decision deadlines: how quickly the service must decide, and who decides (with a second opinion).

A deadline's clock starts on an event in the record (every pre-start check in; a certificate back);
the service's decision is recorded as an approval of ``recorded_as`` by the ``decided_by`` role. Until
then the decision is waiting on the service; past ``within`` it is a service duty that has fallen
behind. No source studied gives a figure: any ``within`` is the organisation's own choice.
"""

# No `from __future__ import annotations` in this module of models: pydantic would evaluate every
# annotation from its text at class creation, which costs `pathrules check` time (docs/engine.md, start-up).

from typing import Literal

from pydantic import Field

from pathrules.kinds.vetting import Scheme
from pathrules.policy.source import Source
from pathrules.policy.fields import DurationField, Slug, Strict


class CheckReturned(Strict):
    """The clock starts when a certificate of this scheme comes back (its issue date)."""

    returned: Scheme


class DecisionDeadline(Strict):
    """A decision the service owes a candidate within a time, made by a named role."""

    id: Slug
    title: str = Field(description="What is decided, e.g. `whether the mentor can start`.")
    after: Literal["checks_in"] | CheckReturned = Field(
        description="When the clock starts: `checks_in` (every pre-start check of the role is met: vetting, "
        "references, approvals, identity) or `{returned: dbs}` (the certificate's issue date)."
    )
    within: DurationField = Field(description="How long the service has to decide once the clock starts.")
    decided_by: Slug = Field(description="The role that decides, e.g. service-manager.")
    second_opinion: Slug | None = Field(default=None, description="The role asked for a second opinion before a refusal stands.")
    recorded_as: Slug = Field(description="The record's approval item that records the decision (`approvals: [{item: ...}]`).")
    because: str | None = None
    source: Source | None = Field(default=None, description="Where this comes from; shown to staff, never to the person.")
