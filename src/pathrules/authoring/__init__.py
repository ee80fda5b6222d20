"""Tools for policy authors: YAML policy tests with coverage, lint, handbook, change impact."""
