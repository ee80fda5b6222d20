"""Batches of people: read many records, decide each, write one row per input row, in order."""
