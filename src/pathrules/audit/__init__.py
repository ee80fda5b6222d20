"""The audit trail: a tamper-evident store of decisions, replay and verification."""
