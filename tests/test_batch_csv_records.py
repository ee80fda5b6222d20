"""The parent cuts a CSV into records without parsing cells; the rows must be exactly the ones csv reads.

The parent of a parallel batch hands each worker a record's raw text (a quoted cell may hold line
breaks, so a record can span lines) and the worker reads its cells. Whatever the text (quotes in odd
places, bare carriage returns, line breaks inside and outside quotes, bytes that are not UTF-8, lines
too long), cutting and then reading each record must give what ``csv.reader`` reading the lines one
after another gives: the same records, starting on the same lines, with the same cells or the same
error. The oracle is the way a batch read CSV before (csv.reader over the bounded, flagged lines).
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from example_counts import examples
from pathrules.batch.csv_records import CsvRecords, cells_of, csv_error_text, first_bad_text_line, strict_reader
from pathrules.batch.lines import LineReader

LIMIT = 12  # small, so that lines too long are common
BAD_BYTE = "\udcff"  # how a byte that is not UTF-8 reads (surrogate escape)

Row = tuple[int, "list[str] | str"]


def rows_by_csv_reader(text: str) -> list[Row]:
    """Oracle: csv.reader over the bounded lines; a record's first flagged line wins, then csv's error."""
    lines = LineReader(io.StringIO(text, newline=""), LIMIT)
    reader = strict_reader(lines)
    rows: list[Row] = []
    while True:
        first = lines.number + 1
        try:
            cells: list[str] | str = next(reader)
        except StopIteration:
            return rows
        except csv.Error as err:
            cells = csv_error_text(err, (first, lines.number))
        flags = lines.take_flags()
        rows.append((first, flags[0][1] if flags else cells))


def rows_by_cutting(text: str) -> list[Row]:
    """What a batch does now: the parent cuts records, the worker checks the text and reads the cells."""
    rows: list[Row] = []
    for first, record, problem in CsvRecords(io.StringIO(text, newline=""), LIMIT):
        if problem is not None:
            rows.append((first, problem))
            continue
        bad = first_bad_text_line(first, record)
        if bad is not None:
            rows.append((first, f"line {bad} is not valid UTF-8 text"))
            continue
        try:
            rows.append((first, cells_of(record)))
        except csv.Error as err:  # pragma: no cover - the parent found csv's errors already
            rows.append((first, csv_error_text(err)))
    return rows


csv_text = st.lists(st.sampled_from(['"', '"', ",", "\n", "\r", "\r\n", "a", "bc", " ", BAD_BYTE, '""', "x" * 9]), max_size=40).map("".join)


@settings(max_examples=examples(300), deadline=None)
@given(csv_text)
def test_cutting_records_then_reading_each_gives_the_rows_csv_reads(text: str) -> None:
    assert rows_by_cutting(text) == rows_by_csv_reader(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('a,b\r\n"multi\nline",c\r\nd,e\r\n', [(1, ["a", "b"]), (2, ["multi\nline", "c"]), (4, ["d", "e"])]),
        ('x"y,z\n"q\n', [(1, ['x"y', "z"]), (2, "not valid CSV (a quoted cell opened on line 2 is never closed, so the rest of the file was read as this one row; close the quote)")]),  # a quote inside a field opens nothing; one left open is an error
        ('"ab"cd,1\nz\n', [(1, "not valid CSV (',' expected after '\"')"), (2, ["z"])]),  # text after a closing quote is not guessed at
        ("a\rb\r\n\r\n", [(1, ["a"]), (2, ["b"]), (3, [])]),  # a bare carriage return ends a line; a blank line is an empty row
        (f'"ok\n{BAD_BYTE}",1\nz\n', [(1, "line 2 is not valid UTF-8 text"), (3, ["z"])]),  # the bad line is named, not the record's first
        ('a,"' + "y" * 20 + '\nend",1\nz\n', [(1, f"line 1 is longer than {LIMIT:,} characters"), (2, ['end"', "1"]), (3, ["z"])]),  # its quote skipped with it
    ],
)
def test_records_that_span_lines_keep_their_first_line_and_the_next_record_is_whole(text: str, expected: list[Row]) -> None:
    assert rows_by_cutting(text) == expected
    assert rows_by_csv_reader(text) == expected
