"""What a policy author writes for an entitlement: an amount with its currency, conditions on the day, a cap.

Money is text in the policy (``up_to: "15.00"``) and ``Decimal`` in Python, never a float: a YAML
``15.00`` is a float and is refused with a located error. An entitlement with no figure in its source
(the Dublin guide's "at least the living wage") has ``text`` and no amount; it is listed, never priced.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from pathrules.policy.fields import Slug, Strict

MONEY = r"^\d{1,6}(\.\d{1,2})?$"
HOURS = r"^\d{1,2}(\.\d{1,2})?$"


class Entitlement(Strict):
    """One line a day's work may entitle the person to."""

    id: Slug
    title: str = Field(description="What it is, e.g. `travel expenses`.")
    up_to: str | None = Field(default=None, pattern=MONEY, description='The most that is paid, as text: `"15.00"`.')
    currency: Literal["GBP", "EUR"] | None = Field(default=None, description="The currency of `up_to`.")
    per: Literal["day"] = Field(default="day", description="What the cap is per.")
    min_hours: str | None = Field(default=None, pattern=HOURS, description='Only on a day of at least this many hours worked, as text: `"4"`.')
    activities: list[Slug] = Field(default_factory=list, description="Only on a day with one of these activities (empty: any).")
    text: str | None = Field(default=None, description="For an entitlement with no figure in its source: what it is, in words.")
    because: str | None = None

    @model_validator(mode="after")
    def _amount_or_words(self) -> Entitlement:
        if self.up_to is None and self.text is None:
            raise ValueError("give `up_to` with a `currency`, or `text` for an entitlement with no figure")
        if (self.up_to is None) != (self.currency is None):
            raise ValueError("`up_to` and `currency` go together")
        return self

    @property
    def amount(self) -> Decimal | None:
        return Decimal(self.up_to) if self.up_to is not None else None

    @property
    def hours(self) -> Decimal | None:
        return Decimal(self.min_hours) if self.min_hours is not None else None
