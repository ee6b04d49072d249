"""Dates as news copy and pages write them, read into ISO 8601 (``2026-01-31`` or with a time).

One function, ``normalise_date``, serves every source (export fields, feed entries, page
metadata, datelines), so a date means the same whatever file it came in. Its rules:

- a year or a month alone (``1988``, ``2017/01``) names no day and is no date;
- a value outside ``EARLIEST_YEAR`` .. today + ``FUTURE_TOLERANCE`` is a placeholder, a typo
  or an event date, not a publication date (``0001-11-30``, ``2050-09-30``);
- numbers in an ambiguous order follow the separator: ``16.10.2019`` and ``16-10-2019`` are
  day first (as written where dots are used), ``1/21/18`` month first (US exports);
  ``dayfirst`` overrides this for a source that knows its convention;
- a time is kept when the value has one (not a bare midnight), with its offset if written.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

#: Dates before this year are misparsed numbers or placeholders (digitised archives of the
#: 19th century are the oldest news newsindex expects).
EARLIEST_YEAR = 1800
#: How far ahead of today a publication date may be (time zones, embargoed copy); further
#: ahead is an event date or a typo.
FUTURE_TOLERANCE = timedelta(days=2)
#: Longer values are sentences, not dates.
MAX_DATE_CHARS = 80

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: ``1/21/18``: month first unless told otherwise (every other order is day first).
_SLASHED = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}\b")
#: ``2019-10-16 ...``, ``2019/10/16`` and ISO's compact ``20191016``: year first, never
#: ambiguous.
_YEAR_FIRST = re.compile(r"^\d{4}(?:\D|\d{4}(?:\D|$))")
_HAS_TIME = re.compile(r"\d[:h]\d")
#: A year, or a year and month, names no day.
_NO_DAY = re.compile(r"^\d{4}(?:[-/.]\d{1,2})?$")


def _plausible(day: date) -> bool:
    today = datetime.now(UTC).date()
    return day.year >= EARLIEST_YEAR and day <= today + FUTURE_TOLERANCE


def _parse_iso(text: str) -> datetime | None:
    """ISO 8601 the fast way (exports and feeds mostly write it); None to try harder."""
    if len(text) < 10 or text[4] != "-":
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _day_first(text: str, dayfirst: bool | None) -> bool:
    if _YEAR_FIRST.match(text):
        return False
    if dayfirst is not None:
        return dayfirst
    return not _SLASHED.match(text)


def _parse_free(text: str, dayfirst: bool | None) -> datetime | None:
    try:
        with warnings.catch_warnings():  # "CET" and other zone names dateutil cannot place
            warnings.simplefilter("ignore", date_parser.UnknownTimezoneWarning)
            return date_parser.parse(text, dayfirst=_day_first(text, dayfirst))
    except (ValueError, OverflowError, TypeError):
        return None


def normalise_date(value: object, *, dayfirst: bool | None = None) -> str | None:
    """ISO 8601 for a date written any common way, or None when it is not a plausible date.

    >>> normalise_date("2016-09-20"), normalise_date("1/21/18"), normalise_date("16.10.2019")
    ('2016-09-20', '2018-01-21', '2019-10-16')
    >>> normalise_date("Sat, 31 Jan 2026 10:00:00 GMT")
    '2026-01-31T10:00:00+00:00'
    >>> normalise_date("2019-10-18T20:00:25.850Z"), normalise_date("2019-06-17T00:00:00Z")
    ('2019-10-18T20:00:25+00:00', '2019-06-17')
    >>> normalise_date("19870305"), normalise_date("20240305 10:15")
    ('1987-03-05', '2024-03-05T10:15:00')
    >>> normalise_date("0001-11-30") is None, normalise_date("soon") is None
    (True, True)
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _iso(value, has_time=True) if _plausible(value.date()) else None
    if isinstance(value, date):
        return value.isoformat() if _plausible(value) else None
    text = " ".join(str(value).split())
    if not text or len(text) > MAX_DATE_CHARS or not any(ch.isdigit() for ch in text):
        return None
    if _NO_DAY.match(text):  # "1988", "2017/01": dateutil would fill in today's day
        return None
    if _DATE_ONLY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return text if _plausible(day) else None
    when = _parse_iso(text) or _parse_free(text, dayfirst)
    if when is None or not _plausible(when.date()):
        return None
    return _iso(when, has_time=bool(_HAS_TIME.search(text)))


def _iso(when: datetime, *, has_time: bool) -> str:
    """Date only when no time was written (or only a bare midnight), else to the second."""
    if not has_time or (when.hour == when.minute == when.second == 0):
        return when.date().isoformat()
    return when.isoformat(timespec="seconds")


def date_with_year(month_day: str, year: int) -> str | None:
    """A dateline's ``Feb 26`` completed with a known year.

    >>> date_with_year("Feb 26", 1987), date_with_year("5 ene", 2024)
    ('1987-02-26', '2024-01-05')
    """
    try:
        when = date_parser.parse(f"{month_day} {year}")
    except (ValueError, OverflowError):  # a month dateutil does not know: "ene", "janv."
        return date_in_text(f"{month_day} {year}", slashed=False)
    return when.date().isoformat()


#: The time zone of a country's publishers, by the country's top-level domain: a moment a
#: page gives in UTC is dated by the day its readers had ("2022-11-06T23:00:00Z" on a German
#: site is the 7th). Countries spanning several zones take their capital's.
COUNTRY_ZONES = {
    "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich", "li": "Europe/Vaduz",
    "fr": "Europe/Paris", "be": "Europe/Brussels", "nl": "Europe/Amsterdam",
    "lu": "Europe/Luxembourg", "it": "Europe/Rome", "es": "Europe/Madrid",
    "pt": "Europe/Lisbon", "uk": "Europe/London", "ie": "Europe/Dublin",
    "dk": "Europe/Copenhagen", "se": "Europe/Stockholm", "no": "Europe/Oslo",
    "fi": "Europe/Helsinki", "pl": "Europe/Warsaw", "cz": "Europe/Prague",
    "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "si": "Europe/Ljubljana",
    "hr": "Europe/Zagreb", "ro": "Europe/Bucharest", "bg": "Europe/Sofia",
    "gr": "Europe/Athens", "tr": "Europe/Istanbul", "ru": "Europe/Moscow", "ua": "Europe/Kyiv",
    "ar": "America/Argentina/Buenos_Aires", "bo": "America/La_Paz", "br": "America/Sao_Paulo",
    "cl": "America/Santiago", "co": "America/Bogota", "ec": "America/Guayaquil",
    "mx": "America/Mexico_City", "pe": "America/Lima", "py": "America/Asuncion",
    "uy": "America/Montevideo", "ve": "America/Caracas", "ca": "America/Toronto",
    "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "cn": "Asia/Shanghai", "tw": "Asia/Taipei",
    "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore", "in": "Asia/Kolkata", "bd": "Asia/Dhaka",
    "pk": "Asia/Karachi", "il": "Asia/Jerusalem", "ae": "Asia/Dubai", "za": "Africa/Johannesburg",
    "ng": "Africa/Lagos", "ke": "Africa/Nairobi", "eg": "Africa/Cairo",
    "au": "Australia/Sydney", "nz": "Pacific/Auckland",
}  # fmt: skip


def in_publisher_zone(iso: str, url: str | None) -> str:
    """A UTC moment (``...+00:00``) in the zone of the country whose domain ``url`` is on;
    anything else (a date, a moment with its own offset, a ``.com``) as it is.

    >>> in_publisher_zone("2022-11-06T23:00:00+00:00", "https://beige.example.de/a")
    '2022-11-07T00:00:00+01:00'
    >>> in_publisher_zone("2022-05-04T02:41:00+00:00", "https://x.example.com.bo/a")
    '2022-05-03T22:41:00-04:00'
    """
    if not iso.endswith("+00:00") or "T" not in iso:
        return iso
    country = (urlsplit(url or "").hostname or "").rsplit(".", 1)[-1]
    if country not in COUNTRY_ZONES:
        return iso
    try:
        zone = ZoneInfo(COUNTRY_ZONES[country])
    except ZoneInfoNotFoundError:  # a system without the zone database
        return iso
    return datetime.fromisoformat(iso).astimezone(zone).isoformat(timespec="seconds")


#: Month names of the archive's languages, by month number (abbreviations by prefix).
_MONTH_NAMES = {
    1: "january janvier januar jänner enero gennaio januari styczeń stycznia janeiro",
    2: "february février februar febrero febbraio februari luty lutego fevereiro",
    3: "march mars märz marzo maart marzec marca março",
    4: "april avril abril aprile kwiecień kwietnia",
    5: "may mai mayo maggio mei maj maja maio",
    6: "june juin juni junio giugno czerwiec czerwca junho",
    7: "july juillet juli julio luglio lipiec lipca julho",
    8: "august août agosto augustus sierpień sierpnia",
    9: "september septembre septiembre settembre wrzesień września setembro",
    10: "october octobre oktober octubre ottobre październik października outubro",
    11: "november novembre noviembre listopad listopada novembro",
    12: "december décembre dezember diciembre dicembre grudzień grudnia dezembro",
}
_MONTH_NUMBER = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_WORD = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_ABBREVIATED = r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|okt|nov|dec|dez"
#: Months in full or cut short, as English desks and the Spanish, Italian, Portuguese,
#: French and German ones print them ("5 ene", "5 gen", "5 janv.", "5. Jänner").
MONTH_WORDS = "|".join(
    [
        _MONTH_WORD,
        _ABBREVIATED,
        "ene|abr|ago|dic|gen|mag|giu|lug|ott|set|fev|out|janv|févr|fév|avr|juil|déc|mär",
    ]
)
#: Dates as pages print them: "19.10.2019", "2019-10-19", "19. Oktober 2019", "October 19,
#: 2019", "19 Oct 2019", "10/19/2019".
_PRINTED_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\.\s?(?P<m1>\d{{1,2}})\.\s?(?P<y1>\d{{4}})"
    rf"|(?P<y2>\d{{4}})-(?P<m2>\d{{2}})-(?P<d2>\d{{2}})"
    rf"|(?P<d3>\d{{1,2}})\.?\s+(?:de\s+)?(?P<n3>{MONTH_WORDS})\.?\s+(?:de\s+)?(?P<y3>\d{{4}})"
    rf"|(?P<n4>{MONTH_WORDS})\.?\s+(?P<d4>\d{{1,2}}),?\s+(?P<y4>\d{{4}})"
    rf"|(?P<s5>\d{{1,2}}/\d{{1,2}}/\d{{4}}))\b",
    re.I,
)


def date_in_text(text: str, *, dayfirst: bool | None = None, slashed: bool = True) -> str | None:
    """The first date printed in a short text ("Stand: 28.04.2020 18:00 Uhr"), ISO 8601.

    >>> date_in_text("Veröffentlicht am 19. Oktober 2019, 19:08 Uhr")
    '2019-10-19'
    >>> date_in_text("Written: 2023-11-07 15:03:30"), date_in_text("Posted March 3, 2011")
    ('2023-11-07', '2011-03-03')
    >>> date_in_text("Publié le 14 juil. 2024"), date_in_text("Publicado em 7 de outubro de 2023")
    ('2024-07-14', '2023-10-07')
    """
    for found in _PRINTED_DATE.finditer(text):
        if found["s5"] and not slashed:  # "10/02/2020": the page's convention is unknown
            continue
        if found["s5"]:
            iso = normalise_date(found["s5"], dayfirst=dayfirst)
        else:
            day = found["d1"] or found["d2"] or found["d3"] or found["d4"]
            year = found["y1"] or found["y2"] or found["y3"] or found["y4"]
            name = (found["n3"] or found["n4"] or "").casefold()
            month = found["m1"] or found["m2"] or _month_number(name)
            iso = _valid_day(int(year), int(month or 0), int(day))
        if iso:
            return iso
    return None


def _month_number(name: str) -> int | None:
    """A month's number from its name or the start of it ("janv" is January, "juil" July)."""
    name = name.rstrip(".")
    if name in _MONTH_NUMBER:
        return _MONTH_NUMBER[name]
    return next((n for full, n in _MONTH_NUMBER.items() if full.startswith(name)), None)


def _valid_day(year: int, month: int, day: int) -> str | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found.isoformat() if _plausible(found) else None


#: Labels a page prints before its story's date: "Published: 3 April 2024", "Updated 5:32 PM".
DATE_LABEL = (
    r"(?:(?:first|last|originally)\s+)?(?:published|updated|posted|modified|filed|released)"
    r"|date|veröffentlicht|aktualisiert|erschienen|erstellt|stand|publié|mis à jour"
    r"|publicado|actualizado|pubblicato|aggiornato"
)
_WEEKDAY = (
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?|tuesday|wednesday|thursday"
    r"|saturday|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi"
    r"|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado"
    r"|domingo"
)
#: The words a date line may hold besides its label: times ("5:32 PM", "17h32", "17.32 Uhr"),
#: weekdays, months, days and years, zones ("EDT", "UTC+1") and the small words between them.
#: Longer forms come first: each word is matched atomically, never split again.
_DATE_LINE_WORD = (
    r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?|\d{1,2}[:h.]\d\d(?::\d\d)?"
    rf"|(?:{_WEEKDAY}|{_MONTH_WORD}|{_ABBREVIATED})\.?|\d{{1,4}}(?:st|nd|rd|th|\.)?"
    r"|[ap]\.?m\.?|uhr|(?-i:[A-Z]{2,4})|(?:utc|gmt)\s?[+-]\s?\d{1,2}(?::?\d\d)?"
    r"|on|at|am|um|le|à|de|el|a las|alle|il"
    r"|(?:years?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?) ago"
)
#: Labelled dates one after the other: "Published: April 3, 2024 | Updated: April 4, 2024".
#: Atomic words and possessive repeats keep a long line of figures from backtracking.
_DATE_LINE = re.compile(
    rf"^\W*(?:[\s,.;|·•/()–—-]*+(?>(?:(?:{DATE_LABEL})\s*:?|{_DATE_LINE_WORD})(?!\w)))++\W*$",
    re.I,
)
_CLOCK_TIME = re.compile(r"(?<!\d)\d{1,2}[:h.]\d\d(?!\d)")
_DATE_LABEL_START = re.compile(rf"^\W*(?:{DATE_LABEL})\b", re.I)


def is_date_line(line: str) -> bool:
    """Whether a line says only when the story was published or updated, label and all
    ("Published: 3 April 2024", "Updated 5:32 PM EDT, Tue April 2, 2024"): a page prints it
    in the story's container, where it is furniture, not text. A sentence that mentions a
    date has other words and is not one.

    >>> is_date_line("Updated 5:32 PM EDT, Tue April 2, 2024")
    True
    >>> is_date_line("Published: 3 April 2024")
    True
    >>> is_date_line("Published on 3 April 2024, the report found rents rising.")
    False
    >>> is_date_line("Updated 17h32"), is_date_line("1h30")
    (True, False)
    """
    line = line.strip()
    if len(line) > MAX_DATE_CHARS or not _DATE_LINE.match(line):
        return False
    # a time alone dates the story only after a label: "1h30" alone is a recipe's
    labelled_time = _DATE_LABEL_START.match(line) and _CLOCK_TIME.search(line)
    return bool(date_in_text(line) or labelled_time)
