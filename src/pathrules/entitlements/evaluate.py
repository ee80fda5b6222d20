"""Which entitlements a day's work gives, with the reason for each line (and why not, for the rest)."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from typing import TYPE_CHECKING

from pathrules.kinds.base import long_date

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import Record

SYMBOLS = {"GBP": "£", "EUR": "€"}


class EntitlementLine(BaseModel):
    """One entitlement on one day: whether it applies, up to how much, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str
    title: str
    applies: bool
    up_to: Decimal | None = Field(default=None, description="The most that is paid; none when the source gives no figure.")
    currency: str | None = None
    reason: str
    because: str | None = None

    @field_serializer("up_to")
    def _money(self, value: Decimal | None) -> str | None:
        return None if value is None else f"{value:.2f}"  # exact text in JSON, never a float


def money(amount: Decimal, currency: str) -> str:
    return f"{SYMBOLS.get(currency, currency + ' ')}{amount:.2f}"


def entitlements_for(policy: Policy, record: Record, role: str, day: _dt.date, hours: Decimal, activity: str | None = None) -> list[EntitlementLine]:
    """Every entitlement of ``role`` for a day of ``hours`` worked (on ``activity``), with the reason for each."""
    if hours < 0:
        raise ValueError("hours cannot be negative")
    in_post = any(s.is_for(role, policy.policy) and s.ongoing_on(day) for s in record.roles_held)
    lines: list[EntitlementLine] = []
    for item in policy.roles[role].entitlements:
        worded = f"{hours.normalize():f} hour{'s' if hours != 1 else ''}"
        if not in_post:
            applies, why = False, f"The record does not show {record.person} in this role on {long_date(day)}."
        elif item.hours is not None and hours < item.hours:
            applies, why = False, f"Only on a day of at least {item.hours.normalize():f} hours; this day has {worded}."
        elif item.activities and activity not in item.activities:
            applies, why = False, f"Only on a day of {', '.join(a.replace('-', ' ') for a in item.activities)}."
        else:
            applies = True
            if item.amount is not None and item.currency is not None:
                why = f"Up to {money(item.amount, item.currency)} {'a ' + item.per}" + (f" (a day of {worded}, at least {item.hours.normalize():f})" if item.hours is not None else "") + "."
            else:
                why = f"{item.text} (the source gives no figure)."
        lines.append(EntitlementLine(id=item.id, title=item.title, applies=applies, up_to=item.amount, currency=item.currency, reason=why, because=item.because))
    return lines
