"""News agencies: the one table of the wires newsindex knows and how copy spells them.

Every place that has to recognise a wire reads this table: datelines (``TOKYO (AP) —``),
bylines (``By Jane Doe, Associated Press``), credits (``AP writer Jane Doe``), copyright
footers (``© 2026 The Associated Press``) and publisher names (an outlet called "Reuters"
or ``apnews.com`` is the agency itself).
"""

from __future__ import annotations

import re

#: The name each agency is filed under, and the spellings and web domains it goes by
#: (lowercased; the filed name itself always counts).
AGENCIES: dict[str, tuple[str, ...]] = {
    "AP": ("associated press", "the associated press", "apnews.com"),
    "Reuters": ("reuter", "thomson reuters", "reuters.com"),
    "AFP": ("agence france-presse", "agence france presse", "afp.com"),
    "UPI": ("united press international", "upi.com"),
    "Xinhua": ("xinhua news agency", "xinhuanet.com"),
    "Bloomberg": ("bloomberg news", "bloomberg.com"),
    "dpa": ("deutsche presse-agentur",),
    "Kyodo": ("kyodo news",),
    "ANSA": (),
    "EFE": ("agencia efe",),
    "PA": ("press association", "pa media"),
    "Yonhap": ("yonhap news agency",),
    "TASS": (),
    "IANS": (),
    "PTI": ("press trust of india",),
    "CNN": (),
    "CP": ("the canadian press", "canadian press"),
    "AAP": ("australian associated press",),
    "Anadolu": ("anadolu agency",),
    "Bernama": (),
    "Sputnik": (),
    "PAP": ("polska agencja prasowa",),
    "APA": ("austria presse agentur",),
    "KNA": ("katholische nachrichten-agentur",),
    "epd": ("evangelischer pressedienst",),
    "SDA": ("keystone-sda", "schweizerische depeschenagentur"),
    # press-release wires: "NEW YORK--(BUSINESS WIRE)--", "/PRNewswire/", "(GLOBE NEWSWIRE)"
    "Business Wire": ("businesswire", "businesswire.com"),
    "PR Newswire": (
        "prnewswire",
        "prnewswire.com",
        "prnewswire-firstcall",
        "prnewswire-usnewswire",
    ),
    "GlobeNewswire": ("globe newswire", "globenewswire.com"),
}

#: Spelling (lowercased) -> the name the agency is filed under.
AGENCY_NAMES: dict[str, str] = {
    spelling: name
    for name, spellings in AGENCIES.items()
    for spelling in (name.lower(), *spellings)
}
#: Spellings this short are found in text only as the agency writes them (``AP``, ``dpa``):
#: in any case they are everyday words or syllables ("ap", "pa", "Cp").
MAX_ACRONYM_CHARS = 4
_LONG = sorted((s for s in AGENCY_NAMES if "." not in s and len(s) > MAX_ACRONYM_CHARS), key=len)
_ACRONYMS = {AGENCY_NAMES[s] for s in AGENCY_NAMES if "." not in s and len(s) <= MAX_ACRONYM_CHARS}
#: Any agency's name as a whole word: ``re.search(AGENCY_WORDS, "AP writer Jane Doe")``.
AGENCY_WORDS = (
    r"\b(?:(?i:"
    + "|".join(re.escape(s) for s in reversed(_LONG))
    + ")|"
    + "|".join(sorted(map(re.escape, _ACRONYMS), key=len, reverse=True))
    + r")\b"
)
_AGENCY_IN_TEXT = re.compile(AGENCY_WORDS)

#: Parenthesised words after a dateline that are editorial marks, not agencies.
NOT_AGENCIES = frozenset({"revised", "corrected", "correction", "update", "updated", "repeat"})
#: An agency newsindex does not know is accepted when it is this short (``(CBC)``, ``(Kyodo)``).
MAX_UNKNOWN_AGENCY_WORDS = 2
MAX_UNKNOWN_AGENCY_CHARS = 24


def agency_named(name: str | None) -> str | None:
    """The filed name of a known agency spelled ``name`` exactly, else None.

    >>> agency_named("The Associated Press"), agency_named("apnews.com"), agency_named("Jane")
    ('AP', 'AP', None)
    """
    if not name:
        return None
    key = re.sub(r"\s+", " ", name.strip().strip(".")).lower().removeprefix("www.")
    return AGENCY_NAMES.get(key)


def normalise_agency(name: str | None) -> str | None:
    """``Associated Press`` → ``AP``; a short unknown agency keeps its spelling.

    >>> normalise_agency("Associated Press"), normalise_agency("CBC"), normalise_agency("REVISED")
    ('AP', 'CBC', None)
    """
    if not name:
        return None
    known = agency_named(name)
    if known:
        return known
    key = name.strip().strip(".").lower()
    if key in NOT_AGENCIES or len(key.split()) > MAX_UNKNOWN_AGENCY_WORDS:
        return None
    return name.strip() if len(key) <= MAX_UNKNOWN_AGENCY_CHARS else None


def agency_mentioned(text: str) -> str | None:
    """The first known agency a line of text names (``© 2026 The Associated Press``).

    >>> agency_mentioned("Copyright 2026 The Associated Press. All rights reserved.")
    'AP'
    """
    found = _AGENCY_IN_TEXT.search(text)
    return AGENCY_NAMES[found.group().lower()] if found else None
