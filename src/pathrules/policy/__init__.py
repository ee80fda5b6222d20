"""The policy language: models, loading, checks."""
