"""Dates as news copy writes them, read into ISO 8601 (``2026-01-31`` or with a time)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from dateutil import parser as date_parser

#: Dates outside this window are placeholders or typos (``0001-11-30``, ``2050-09-30``).
EARLIEST_YEAR = 1800
#: How far ahead of today a publication date may be (time zones, embargoed copy).
FUTURE_TOLERANCE = timedelta(days=2)

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMERIC_SLASHED = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")


def _plausible(when: datetime | date) -> bool:
    today = datetime.now(UTC).date()
    day = when.date() if isinstance(when, datetime) else when
    return day.year >= EARLIEST_YEAR and day <= today + FUTURE_TOLERANCE


def _parse_iso(text: str) -> datetime | None:
    """ISO 8601 the fast way (exports and feeds mostly write it); None to try harder."""
    if len(text) < 10 or text[4] != "-":
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def normalise_date(value: object, *, dayfirst: bool = False) -> str | None:
    """ISO 8601 for a date written any common way, or None when it is not a plausible date.

    >>> normalise_date("2016-09-20"), normalise_date("1/21/18")
    ('2016-09-20', '2018-01-21')
    >>> normalise_date("Sat, 31 Jan 2026 10:00:00 GMT")
    '2026-01-31T10:00:00+00:00'
    >>> normalise_date("0001-11-30") is None, normalise_date("soon") is None
    (True, True)
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat() if _plausible(value) else None
    if isinstance(value, date):
        return value.isoformat() if _plausible(value) else None
    text = str(value).strip()
    if not text or len(text) > 80:
        return None
    if _DATE_ONLY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return text if _plausible(day) else None
    when = _parse_iso(text)
    if when is None:
        try:
            when = date_parser.parse(text, dayfirst=dayfirst and not _NUMERIC_SLASHED.match(text))
        except (ValueError, OverflowError, TypeError):
            return None
    if not _plausible(when):
        return None
    if when.tzinfo is None and when.hour == when.minute == when.second == 0 and ":" not in text:
        return when.date().isoformat()
    return when.isoformat()


def date_with_year(month_day: str, year: int) -> str | None:
    """A dateline's ``Feb 26`` completed with a known year."""
    try:
        when = date_parser.parse(f"{month_day} {year}")
    except (ValueError, OverflowError):
        return None
    return when.date().isoformat()
