"""Requirement kinds: importing this package registers every kind in ``KINDS``."""

from pathrules.kinds import expression, learning, recovery, recruitment, tenure, vetting  # noqa: F401  (registration)
from pathrules.kinds.base import KINDS, Context, Derived, Kind, kind_for

__all__ = ["KINDS", "Context", "Derived", "Kind", "kind_for"]
