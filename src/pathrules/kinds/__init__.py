"""Requirement kinds, one module per family: importing this package registers every kind in ``KINDS``.

The import order is the order of the kinds in the policy schema's tagged union.
"""

from pathrules.kinds import recovery, vetting, learning, recruitment, tenure, expression, placement, lapse, service, stages  # noqa: F401, I001  (registration, in order)
from pathrules.kinds import lived_experience, assessment, agreement  # noqa: F401, I001  (registration, in order)
from pathrules.kinds.base import KINDS, Context, Derived, Kind, kind_for, kind_of

__all__ = ["KINDS", "Context", "Derived", "Kind", "kind_for", "kind_of"]
