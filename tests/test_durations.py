"""Calendar arithmetic: month ends, leap days, and the link between elapsed counts and dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathrules.durations import UNITS, Duration, add, add_months, elapsed
from strategies import any_date

units = st.sampled_from(UNITS)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),  # the documented example
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 31), 3, dt.date(2026, 4, 30)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 3, 31), -1, dt.date(2026, 2, 28)),
    ],
)
def test_months_land_on_the_corresponding_day_or_the_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@given(any_date(), any_date(), units)
def test_elapsed_is_the_largest_whole_count_that_fits(a: dt.date, b: dt.date, unit: str) -> None:
    n = elapsed(a, b, unit)  # type: ignore[arg-type]
    assert add(a, n, unit) <= b  # type: ignore[arg-type]
    assert add(a, n + 1, unit) > b  # type: ignore[arg-type]


@given(any_date(), st.integers(0, 500), units, any_date())
def test_elapsed_reaches_n_exactly_on_the_date_n_units_later(start: dt.date, n: int, unit: str, day: dt.date) -> None:
    assert (elapsed(start, day, unit) >= n) == (day >= add(start, n, unit))  # type: ignore[arg-type]


@given(any_date(), st.integers(0, 1200), st.integers(0, 1200))
def test_adding_months_never_goes_backwards(start: dt.date, m: int, extra: int) -> None:
    assert add_months(start, m) <= add_months(start, m + extra)


@given(any_date(), st.integers(-400, 400))
def test_month_arithmetic_keeps_the_day_unless_the_month_is_shorter(start: dt.date, m: int) -> None:
    moved = add_months(start, m)
    assert moved.day == start.day or (moved.day < start.day and (moved + dt.timedelta(days=1)).day == 1)


@given(st.integers(1, 9999), units)
def test_durations_print_and_parse_back(amount: int, unit: str) -> None:
    duration = Duration(amount, unit)  # type: ignore[arg-type]
    assert Duration.parse(str(duration)) == duration


@pytest.mark.parametrize("text", ["3", "three months", "3 fortnights", "-1 days", "", "3 months ago"])
def test_durations_people_cannot_write_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration"):
        Duration.parse(text)


def test_a_year_from_a_leap_day_is_the_end_of_february() -> None:
    assert Duration.parse("1 year").after(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
    assert Duration.parse("6 weeks").after(dt.date(2026, 1, 1)) == dt.date(2026, 2, 12)


@pytest.mark.parametrize(
    "text",
    ["३ months", "３ months", "٣ days", "3\u00a0months", "3 month\u0455", "3 ſays", "3 \u212aeeks", "3 months\n", "1:20", "3 months 2 days", "-3 months", "3.5 months", ""],
)
def test_a_duration_is_ascii_digits_and_a_unit_nothing_else(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration"):
        Duration.parse(text)


@pytest.mark.parametrize(("text", "expected"), [("3 months", Duration(3, "months")), (" 1 Year ", Duration(1, "years")), ("30  DAYS", Duration(30, "days"))])
def test_ascii_durations_still_parse(text: str, expected: Duration) -> None:
    assert Duration.parse(text) == expected
