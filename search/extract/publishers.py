"""Publisher names: one outlet, one name, as a reader would write it.

``normalise_publisher`` applies, in order: whitespace clean-up; the outlet's part of a
title made of parts (a feed's "World – The Indian Express", "NYT > Home Page", a page's
"Wellness: Health & More - The Washington Post"): the part that names the site's domain,
else the first; the desk and channel suffixes exports add (``CNN (Web News)``, ``New York
Times - News``, ``Fox News Opinion``); then the alias table below for the spellings no rule
can know (``DesMoines Register``). A name that is only a section ("U.S.", "Politics",
"Top Stories") is no publisher: the caller falls back to the page's publisher markup or
its domain. This module is the one place that decides which names are the same outlet.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from search.extract.agencies import agency_named

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
    "theguardian.com": "The Guardian",
    "guardian": "The Guardian",
    "npr.org": "NPR",
    "nyt": "New York Times",
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


#: Parts of a title that only name a section, a channel or a feed, in the archive's languages.
SECTION_NAMES = frozenset(
    {
        # sections
        "world", "u.s.", "us", "usa", "uk", "nation", "national", "international", "local",
        "politics", "election", "elections", "business", "economy", "money", "markets",
        "finance", "tech", "technology", "science", "health", "sport", "sports", "opinion",
        "opinions", "editorial", "comment", "analysis", "entertainment", "culture", "arts",
        "books", "music", "lifestyle", "style", "travel", "food", "weather", "video", "videos",
        "photos", "podcasts", "education", "environment", "climate", "wellness", "europe", "asia",
        "africa", "americas", "middle east", "world news", "us news", "u.s. news", "uk news",
        # front pages, channels, feeds
        "news", "latest", "home", "homepage", "home page", "front page", "top stories",
        "top news", "latest news", "breaking news", "all news", "headlines", "just in",
        "rss", "feed", "news feed", "rss feed", "rss channel", "public rss", "hp hero",
        # other languages
        "politik", "wirtschaft", "kultur", "panorama", "inland", "ausland", "meinung",
        "nachrichten", "aktuell", "startseite", "newsticker", "meldungen", "neueste meldungen",
        "monde", "politique", "économie", "société", "actualités", "noticias", "política",
        "mundo", "deportes", "economía", "últimas notícias", "notícias",
    }
)  # fmt: skip
#: Separators between the parts of a title ("World – The Indian Express", "NYT > Home Page").
_PARTS = re.compile(r"\s+(?:[-–—|>»/]|::)\s+|:\s+")


def _is_section(name: str) -> bool:
    key = name.strip().lower()
    return key in SECTION_NAMES or key.strip(" .") in SECTION_NAMES


#: Second-level labels under a country's domain that are not the site's name (``co.uk``).
GENERIC_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "gv", "ac", "edu", "or", "ne"})


def domain_label(address: str | None) -> str | None:
    """A site's main domain label, from a URL or a host name.

    >>> domain_label("https://feeds.washingtonpost.com/x"), domain_label("www.bbc.co.uk")
    ('washingtonpost', 'bbc')
    >>> domain_label("http://rss.cnn.com/rss"), domain_label("The Guardian") is None
    ('cnn', True)
    """
    address = (address or "").strip()
    if " " in address or "." not in address:
        return None
    host = urlsplit(address if "://" in address else f"//{address}").hostname or ""
    labels = host.removeprefix("www.").split(".")[:-1]  # without the top-level domain
    if len(labels) > 1 and labels[-1] in GENERIC_SECOND_LEVEL:
        labels = labels[:-1]
    label = re.sub(r"[^\w]", "", labels[-1]) if labels else ""
    return label if len(label) >= 2 else None


def _squash(text: str) -> str:
    return re.sub(r"[^\w]", "", text.lower())


def _outlet_part(text: str, url: str | None) -> str:
    """The part of a title made of parts that names the outlet."""
    parts = [part for part in _PARTS.split(text) if part.strip()]
    if len(parts) < 2:
        return text
    label = domain_label(url)
    if label and len(label) >= 3:
        for part in parts:
            squashed = _squash(part)
            if squashed and (label in squashed or (len(squashed) >= 3 and squashed in label)):
                return part
    # "Outlet - Section" is the common order; a title that opens with a section has the
    # outlet last ("Wellness: Health & More - The Washington Post")
    return parts[-1] if _is_section(parts[0]) else parts[0]


def normalise_publisher(name: str | None, url: str | None = None) -> str | None:
    """The one display name of an outlet; None for a name that is only a section.

    >>> normalise_publisher("CNN (Web News)"), normalise_publisher("CNN - Editorial")
    ('CNN', 'CNN')
    >>> normalise_publisher("New York Times - News"), normalise_publisher("NPR Editorial ")
    ('New York Times', 'NPR')
    >>> normalise_publisher("www.srnnews.com"), normalise_publisher("Politics") is None
    ('srnnews.com', True)
    >>> normalise_publisher("World – The Indian Express", "http://indianexpress.com/article/x")
    'The Indian Express'
    >>> normalise_publisher("NYT > Home Page"), normalise_publisher("Reuters: World News")
    ('New York Times', 'Reuters')
    """
    if not name:
        return None
    text = re.sub(r"\s+", " ", str(name)).strip()
    text = _outlet_part(text, url)
    if text.lower().startswith("www."):
        text = text[4:]
    text = _ONLINE_INFIX.sub("", text)
    for _ in range(2):  # "Fox News (Online) - Opinion"
        stripped = _SUFFIX.sub("", text).strip()
        if stripped:
            text = stripped
    if _is_section(text):
        return None
    alias = ALIASES.get(text.lower()) or agency_named(text)
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
    return ALIASES.get(host) or agency_named(host) or host
