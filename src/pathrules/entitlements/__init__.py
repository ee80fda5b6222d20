"""Entitlements: what a day's work in a role entitles the person to (expenses, pay), exactly, in Decimal."""

from pathrules.entitlements.model import Entitlement
from pathrules.entitlements.evaluate import EntitlementLine, entitlements_for

__all__ = ["Entitlement", "EntitlementLine", "entitlements_for"]
