"""Publisher names: one outlet, one name, however an export spells it.

``normalise_publisher`` applies, in order: whitespace clean-up, the desk and channel
suffixes exports add (``CNN (Web News)``, ``New York Times - News``, ``Fox News Opinion``),
then the alias table below for the spellings no rule can know (``DesMoines Register``).
This table is the one place that decides which names are the same outlet.
"""

from __future__ import annotations

import re

#: Suffixes naming a desk, channel or format of an outlet rather than the outlet.
_SUFFIX = re.compile(
    r"\s*(?:"
    r"[-–—:|]\s*(?:news|opinion|editorial(?: board)?|opinion/editorial|online|blog"
    r"|right|left|center)"
    r"|\((?:web news|online news|online|news|opinion|editorial|blog)\)"
    r"|\b(?:editorial board|editorial|opinion|online news|web news)"
    r")\s*$",
    re.I,
)
_ONLINE_INFIX = re.compile(r"\s+online(?=\s+news$)", re.I)

#: Spellings of one outlet that the rules above cannot join, keyed by lowercased name.
ALIASES = {
    "npr news": "NPR",
    "npr online news": "NPR",
    "nbc": "NBC News",
    "nbcnews.com": "NBC News",
    "cnsnews.com": "CNS News",
    "michellemalkin.com": "Michelle Malkin",
    "desmoines register": "Des Moines Register",
    "the american spectator": "American Spectator",
    "western journal": "The Western Journal",
    "the courier-journal": "Louisville Courier-Journal",
    "the wall street journal": "Wall Street Journal",
    "wsj": "Wall Street Journal",
    "the new york times": "New York Times",
    "nytimes.com": "New York Times",
    "the washington post": "Washington Post",
    "washingtonpost.com": "Washington Post",
    "cnn.com": "CNN",
    "foxnews.com": "Fox News",
    "bbc": "BBC News",
    "bbc.co.uk": "BBC News",
    "bbc.com": "BBC News",
    "reuters.com": "Reuters",
    "apnews.com": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "theguardian.com": "The Guardian",
    "guardian": "The Guardian",
    "npr.org": "NPR",
    "usatoday.com": "USA TODAY",
    "usa today": "USA TODAY",
    "politico.com": "Politico",
    "thehill.com": "The Hill",
    "nypost.com": "New York Post",
    "latimes.com": "Los Angeles Times",
    "wsj.com": "Wall Street Journal",
    "bloomberg.com": "Bloomberg",
    "aljazeera.com": "Al Jazeera",
    "theatlantic.com": "The Atlantic",
    "vox.com": "Vox",
    "breitbart.com": "Breitbart News",
    "washingtontimes.com": "Washington Times",
    "nationalreview.com": "National Review",
    "csmonitor.com": "Christian Science Monitor",
    "abcnews.go.com": "ABC News",
    "cbsnews.com": "CBS News",
}


def normalise_publisher(name: str | None) -> str | None:
    """The one display name of an outlet.

    >>> normalise_publisher("CNN (Web News)"), normalise_publisher("CNN - Editorial")
    ('CNN', 'CNN')
    >>> normalise_publisher("New York Times - News"), normalise_publisher("NPR Editorial ")
    ('New York Times', 'NPR')
    >>> normalise_publisher("www.srnnews.com")
    'srnnews.com'
    """
    if not name:
        return None
    text = re.sub(r"\s+", " ", str(name)).strip()
    if text.lower().startswith("www."):
        text = text[4:]
    text = _ONLINE_INFIX.sub("", text)
    for _ in range(2):  # "Fox News (Online) - Opinion"
        stripped = _SUFFIX.sub("", text).strip()
        if stripped:
            text = stripped
    alias = ALIASES.get(text.lower())
    if alias:
        return alias
    if text.startswith("the ") and text[4:5].isupper():  # "the Guardian"
        text = "The " + text[4:]
    return text or None


def publisher_from_url(url: str | None) -> str | None:
    """An outlet's name for a page known only by its address (``www.nytimes.com``)."""
    if not url:
        return None
    match = re.match(r"^(?:[a-z]+://)?([^/:?#]+)", url.strip(), re.I)
    if not match:
        return None
    host = match.group(1).lower().removeprefix("www.")
    return ALIASES.get(host) or host
