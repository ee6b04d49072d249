"""News-aware cleaning of copy: the dateline lead, bylines, credits, footers and furniture.

``clean_wire_copy`` runs the steps in order over the story's paragraphs (however it was
wrapped), each a small function testable alone; every source goes through it, so text that
arrived already extracted (an export's or a feed's body) is cleaned as a page's is:

1. ``strip_footers``: trailing syndication footers (``Brought to you by www.srnnews.com``,
   AP/Reuters/Bloomberg copyright lines, the 1987 ``Reuter`` signature, "Follow AP's
   coverage of ... at https://..."), remembering the site; and the lines that end copy
   (``-30-``, ``###``, "Follow Jane Doe on Twitter at ...", a lone "(AP Photo/Jane Doe)");
2. ``strip_release_foot``: a press release's wire lines at its foot (PR Newswire's "View
   original content: https://..." and "SOURCE Acme Corp"), kept in ``WireCopy.furniture`` as
   ``release``; ``strip_source_version_link``: Business Wire's "View source version on
   businesswire.com: https://...", above the release's contacts, kept as ``release`` too;
   ``strip_contacts``: Bloomberg's foot ("To contact the reporter on this
   story: ..."), kept as ``contact``, whose reporters (not its editors) are
   ``WireCopy.reporters``: the authors of a story that no byline or field credits;
3. ``strip_notes``: the desk's notes about the story, at its head or its foot (an editor's
   note, ``UPDATED: Adds comment``, ``(Corrects spelling ...)``, ``This story has been
   corrected to ...``), kept in ``WireCopy.furniture`` as ``note``;
4. ``strip_credits``: a trailing ``___`` block and credit lines (``... contributed to this
   report.``, ``Reporting by ...; Editing by ...``, ``--With assistance from ...``), whose
   names become contributors; then ``strip_footers`` again, for footers above the credits;
5. furniture (``search.extract.furniture``): caption and credit paragraphs ("Image copyright
   AFP Image caption ..."), gallery chrome, "Advertisement", prompts to subscribe or share,
   teasers, trailing related-links sections; what left is kept in ``WireCopy.furniture``;
6. ``strip_byline``: a leading ``By NAME`` line, whose names become authors;
7. ``parse_dateline``: the dateline lead (``TOKYO (AP) —``, ``SALVADOR, Feb 26 -``,
   ``(Bloomberg) --``, ``TORONTO — (CP) —``, ``Madrid, Jan 5 (EFE).-``, ``Hamburg (dpa/lno) -``)
   into place, agency and date, removed from the body's first words; else a wire's sign-off
   (``dpa/lno``) that left as furniture names the agency;
8. ``strip_attachments``: a release whose lead names GlobeNewswire loses that wire's list of
   attachments at its foot ("Attachments", then the files' names), kept as ``release``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.extract.agencies import (
    AGENCY_NAMES,
    AGENCY_WORDS,
    agency_mentioned,
    agency_named,
    normalise_agency,
)
from search.extract.bylines import Byline, byline_paragraph
from search.extract.dates import MONTH_WORDS
from search.extract.furniture import clean_lines

#: The longest a dateline place runs (``UNITED NATIONS``, ``NAIROBI, Kenya``).
MAX_PLACE_CHARS = 48
#: All-caps leads that open a caption or a label, not a dateline (``FILE - In this photo``,
#: Reuters' desk slugs ``CORRECTED-``, ``RPT-``).
NOT_PLACES = frozenset(
    {
        "FILE",
        "UPDATE",
        "UPDATED",
        "EXCLUSIVE",
        "BREAKING",
        "WATCH",
        "ANALYSIS",
        "OPINION",
        "CORRECTION",
        "CORRECTED",
        "REFILE",
        "RPT",
        "WRAPUP",
        "FOCUS",
        "BREAKINGVIEWS",
        "PHOTOS",
        "PHOTO",
        "VIDEO",
        "LIVE",
        "EDITOR'S NOTE",
        "EDITOR’S NOTE",
        "NOTE",
    }
)
#: A ``___`` block longer than this is part of the story, not its credits.
MAX_CREDIT_BLOCK_CHARS = 700

_DASH = r"(?:--|[-\u2013\u2014\u2015])"
_MONTH = (
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
    r"\s+\d{1,2}(?:,\s*\d{4})?"
)
#: A dateline's date in figures: ISO ``2024-04-03`` or ``03/04/2024``, ``03.04.2024``.
_ISO_DAY = r"\d{4}-\d{2}-\d{2}"
_NUMERIC_DAY = rf"{_ISO_DAY}|\d{{1,2}}[/.]\d{{1,2}}[/.](?:\d{{4}}|\d{{2}})"
#: The day first, as British and most non-English desks write it: ``5 March``, ``5 ene``,
#: ``5. Januar``, ``5 janv. 2024``.
_DAY_MONTH = rf"\d{{1,2}}\.?\s+(?i:{MONTH_WORDS})\.?(?:,?\s+\d{{4}})?"
_DATE = rf"{_MONTH}|{_DAY_MONTH}|{_NUMERIC_DAY}"
_UPPER_PLACE = r"[A-Z][A-Z.'\u2019\- ]*[A-Z.]"
_TITLE_PLACE = r"[A-Z][\w.'\u2019\-]*(?: [A-Z][\w.'\u2019\-]*){0,3}"
_REGION = r"(?:,\s*[A-Z][\w.'\u2019\-]*(?: [A-Z][\w.'\u2019\-]*){0,3})?"
#: ``(AP)``, and a desk's code after the agency: ``(dpa/lno)``; EFE closes it ``(EFE).-``.
_AGENCY = r"\((?P<agency>[A-Za-z][\w .&'\u2019-]{0,40})(?:/[a-z]{2,4})?\)\.?"

#: ``TOKYO (AP) —``, ``SALVADOR, Feb 26 -``, ``LONDON, March 3 (Reuters) -``, ``WASHINGTON —``,
#: ``LONDON, 2024-04-03 —``, and the Canadian Press's ``KELOWNA, B.C. — (CP) —``.
DATELINE_UPPER = re.compile(
    rf"^(?P<place>{_UPPER_PLACE}{_REGION})(?:,\s*(?P<date>{_DATE}))?"
    rf"\s*(?:(?:{_DASH}\s*)?{_AGENCY})?\s*{_DASH}\s*"
)
#: ``Washington (CNN) —``, ``Madrid, Jan 5 (EFE).-``: a title-case place counts only with an
#: agency in parentheses.
DATELINE_TITLE = re.compile(
    rf"^(?P<place>{_TITLE_PLACE}{_REGION})(?:,\s*(?P<date>{_DATE}))?\s*{_AGENCY}\s*{_DASH}\s*"
)
#: A press-release wire's name between slashes in a dateline: ``/PRNewswire/``, ``/CNW/``.
_SLASHED_WIRE = re.compile(rf"(?<=\s)/(PRNewswire(?:[- ][A-Za-z]+)?|CNW)/(?=\s*{_DASH})")
#: ``(Bloomberg) -- Stocks rose``, ``(Reuters) - Oil``: a known agency alone, no place.
DATELINE_AGENCY_ONLY = re.compile(rf"^{_AGENCY}\s*{_DASH}\s*")
#: ``London (CNN)It was``: no dash at all, so only a known agency makes it a dateline.
DATELINE_BARE = re.compile(
    rf"^(?P<place>{_UPPER_PLACE}|{_TITLE_PLACE}){_REGION}\s*{_AGENCY}\s*(?=[A-Z“\"'])"
)

_SITE = r"(?:https?://)?(?P<site>(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+)/?"
FOOTER_PATTERNS = [
    re.compile(rf"^(?:brought to you by|provided by|courtesy of|via)\s+{_SITE}\.?$", re.I),
    re.compile(
        rf"^(?i:copyright|\(c\)|©)\s*\d{{4}}.*(?:(?i:rights reserved|press)|{AGENCY_WORDS}).*$"
    ),
    re.compile(r"^this material may not be published, broadcast, rewritten.*$", re.I),
    re.compile(r"^all rights reserved\.?$", re.I),
    re.compile(rf"^(?i:follow) (?:{AGENCY_WORDS})[’']?s? .*(?i:coverage|at) .*$"),
    # "Find more AP coverage of Asia at https://...", "More AP coverage of the war: https://..."
    re.compile(
        rf"^(?i:(?:find|see|read|get|for)\s+)?(?i:more\s+)?(?i:of\s+)?(?:{AGENCY_WORDS})[’']?s?\s"
        r".{0,80}?(?i:coverage)\b.*(?:https?://|www\.|\bat\s+\S+\.[a-z]{2,})\S*\s*$"
    ),
    # AP's note on its funded coverage
    re.compile(
        rf"^(?:the )?(?:{AGENCY_WORDS})[’']?s? .{{0,80}}\bcoverage receives"
        r" (?:financial )?support\b.*$",
        re.S,
    ),
    re.compile(r"^reuters?$", re.I),
    re.compile(r"^our standards:\s*the thomson reuters trust principles\.?$", re.I),
    re.compile(rf"^for more (?:articles|stories) like this,? please visit us at {_SITE}\.?$", re.I),
]
#: The verbs a desk's revision label opens with: "UPDATED: Adds comment", "(Corrects name)".
_REVISION_VERBS = (
    r"(?:adds|corrects|updates|recasts|rewrites|changes|fixes|refiles|repeats|removes"
    r"|inserts|deletes|clarifies|amends|restores|withdraws|tops|trims)"
)
#: A desk's label on a revised story, one line: "UPDATED: Adds comment from the minister",
#: "CORRECTS spelling of name in paragraph 3", Reuters' "(Adds analyst quote)".
REVISION_LABEL = re.compile(
    rf"^(?:UPDATED?|CORRECTED|REFILED?|REPEAT)(?: \d+)?\s*[:—–-]\s*(?i:{_REVISION_VERBS})\b"
    r"|^(?:ADDS|CORRECTS|UPDATES|RECASTS|REFILES|REPEATS|CLARIFIES)\s+[a-z]"  # "CORRECTS name"
    rf"|^\((?i:{_REVISION_VERBS})\b[^()]*\)$"
)
#: A note from the desk about the story, not the story: an editor's note, a marked correction
#: ("CORRECTION: An earlier version of this story ...", "This story has been corrected to
#: show ..."), or a revision label.
NOTE = re.compile(
    r"^\W*(?i:editor[’']?s[’']? note(?::|\s+[—–-]+\s)|(?:correction|clarification)\s*:)"
    r"|^(?i:this (?:story|article|report|version) (?:has been|was) (?:corrected|updated|amended"
    r"|clarified)|an earlier version of this (?:story|article|report))\b"
    rf"|{REVISION_LABEL.pattern}"
)
#: A note is a paragraph at most this long; a longer one is the story's text.
MAX_NOTE_CHARS = 800
#: Notes are looked for in this many paragraphs at the foot (before and after the credits).
FOOT_NOTE_PARAGRAPHS = 3
#: Lines that end a story's copy but name no site or agency: the end marks (``-30-``, ``###``,
#: ``(END)``), a call to follow the reporter ("Follow Jane Doe on Twitter at ..."), a photo's
#: credit on its own line ("(AP Photo/Jane Doe)": the story may not be the photo's agency's).
TRAILING_MARKS = [
    re.compile(r"^(?:-\s*30\s*-|#(?:\s*#){2,}|\((?:END|ENDS)\)|-*\s*(?:END|ENDS)\s*-*)$", re.I),
    re.compile(
        r"^(?i:follow) (?:(?:[A-Z][\w.'’-]+\s+){1,4}|(?i:him|her|them) )(?i:on|at) (?i:twitter|x"
        r"|facebook|instagram|bluesky|threads|mastodon|linkedin|tiktok)\b.{0,120}$"
    ),
    re.compile(
        rf"^\((?:(?:{AGENCY_WORDS})\s+)?(?i:photos?|video|image)\s*(?:[/:][^()]{{1,80}})?\)$"
        rf"|^(?:{AGENCY_WORDS})\s+(?i:photos?|video)\s*/\s*[^()/]{{1,60}}$"
    ),
]
#: Names: capitalised words, initials, particles, hyphens (``Mayuko Ono``, ``Jean-Luc de la Rue``).
_PARTICLE_WORDS = ("de", "da", "del", "der", "van", "von", "la", "le", "al", "el", "bin", "ibn")
_PARTICLES = rf"(?:{'|'.join(_PARTICLE_WORDS)})"
_NAME = rf"[A-Z][\w'\u2019.-]+(?:\s+(?:{_PARTICLES}\s+)*[A-Z][\w'\u2019.-]+){{0,4}}"
_NAME_RE = re.compile(_NAME)
CREDIT_CONTRIBUTED = re.compile(
    r"^(?P<lead>.*?)\s+(?:contributed|also contributed)(?: reporting)?"
    r"(?: to this (?:report|story|article))?(?: from (?P<from>.+?))?\.?$",
    re.I | re.S,
)
CREDIT_REPORTING = re.compile(
    r"^\(?(?:(?:additional )?reporting|writing|compiled|reported) by .+\)?\.?$", re.I | re.S
)
CREDIT_CONTRIBUTING = re.compile(r"^contributing:\s*(?P<names>.+)$", re.I)
#: Bloomberg's credit: ``--With assistance from Jane Doe and John Roe.``
CREDIT_ASSISTANCE = re.compile(
    r"^-*\s*with (?:additional )?assistance (?:from|by) .+$", re.I | re.S
)
#: The contact block is looked for in this many paragraphs at the foot.
CONTACT_PARAGRAPHS = 6
#: Bloomberg's foot opens with such a heading ("To contact the reporter on this story: Jane
#: Doe in London at jdoe@bloomberg.net") and runs to the end of the story; each heading says
#: whom it lists: "To contact the reporters on this story:" (the story's authors; a column's
#: "author", a "writer" too), "To contact the editors responsible for this story:" (desk
#: staff, neither authors nor contributors).
CONTACT_HEADING = re.compile(
    r"\bto contact the (?P<role>reporters?|editors?|writers?|authors?)\b.{0,40}?"
    r"\bthis (?:story|report|article)\b\s*:?",
    re.I,
)
#: What ends one person's entry under a heading: a semicolon, a line of its own, or the e-mail
#: address after the name ("Jane Doe in London at jdoe@bloomberg.net John Roe at ...").
_CONTACT_ENTRY_END = re.compile(r";|\n|\S+@\S+")
#: Where the name in an entry ends: its city ("in London") or its address ("at ...").
_CONTACT_NAME_END = re.compile(r"\s+(?:in|at)(?:\s|$)")
#: A person's name as a contact entry gives it, whole: capitalised words, initials with or
#: without their point ("Steven T. Dennis", "Branko L Milanovic"), particles, hyphens.
_CAPITAL = "A-ZÀ-ÖØ-Þ"
_CONTACT_NAME = re.compile(
    rf"[{_CAPITAL}][\w'\u2019-]*\.?(?:\s+(?:{_PARTICLES}\s+)*[{_CAPITAL}][\w'\u2019-]*\.?){{1,4}}"
)
#: PR Newswire's line naming the release's issuer, at its foot: "SOURCE Acme Corp". In
#: capitals and with no colon: "SOURCE: Reuters" credits a story's figures, "SOURCE Acme
#: /CONTACT: Jane Doe" holds the contacts.
RELEASE_SOURCE = r"SOURCE\s+[^\s:][^:]{0,100}"
#: PR Newswire's link to its own copy of the release ("Cision" is its logo's text), with the
#: source line after it when the two lines were re-wrapped into one.
RELEASE_LINK = (
    r"(?:Cision\s+)?View original content(?: to download multimedia)?\s*:\s*"
    rf"(?:(?:https?://|www\.)\S+)?(?:\s+{RELEASE_SOURCE})?"
)
RELEASE_FOOT = re.compile(rf"^(?:{RELEASE_SOURCE}|{RELEASE_LINK})$")
#: The wire's logo's text, on a line of its own above its link.
RELEASE_LOGO = "Cision"
#: Business Wire's link to its own copy of the release ("View source version on
#: businesswire.com: https://www.businesswire.com/news/home/20260303005012/en/"): the wire's
#: words, never the release's, and above the release's contacts rather than at its foot.
SOURCE_VERSION_LINK = re.compile(
    r"(?:^|(?<=\s))View source version on (?i:(?:www\.)?businesswire\.com)\s*:"
    r"(?:\s*(?:https?://|www\.)\S+)?"
)
#: The link is looked for in this many paragraphs at the foot: the contacts under it run to
#: a dozen lines or more (each person's name, title, phone and address) in copy that keeps
#: each line a paragraph.
SOURCE_VERSION_PARAGRAPHS = 20
#: The issuer's links under the source line on a release's page.
RELEASE_LINKS = re.compile(r"^(?:Related Links?|(?:https?://|www\.)\S+)$", re.I)
#: GlobeNewswire's list of the files attached to a release, at its foot: a heading on a line
#: of its own ("Attachment", "Attachments") over their names, one a line.
ATTACHMENTS_HEADING = re.compile(r"^Attachments?:?$")
#: At most this many names under the heading, each a short title: a line longer, or one with
#: an address or a link (a contact's), is the release's, and the list stays.
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_CHARS = 150
_NOT_AN_ATTACHMENT = re.compile(r"@|://|\bwww\.")
#: A wire's sign-off on a line of its own, the agency and its desk's code: ``dpa/lno``,
#: ``aja/PAP``. Without the code, an agency's name alone on a line may be a speaker's label
#: ("Bloomberg:") or a quoted name, so it names no agency.
SIGN_OFF = re.compile(
    rf"^\W*(?:[a-z]{{2,4}}\s?/\s?({AGENCY_WORDS})|({AGENCY_WORDS})\s?/\s?[a-z]{{2,4}})\W*$"
)
SEPARATOR = re.compile(r"^_{3,}$")
#: Words that introduce a name in a credit but are not part of it.
_ROLE_WORDS = re.compile(
    rf"{AGENCY_WORDS}|\b(?i:staff|video|photo|photographer|journalists?|writers?|reporters?"
    r"|correspondents?|producers?|editors?|researchers?|and)\b"
)

#: The last word of an outlet's name, not a person's: "USA TODAY", "Detroit Free Press",
#: "Pensacola News Journal", "Milwaukee Journal Sentinel", a hyphened "Clarion-Ledger"; an
#: outlet's name in a credit often begins with "The" (no person's does).
_OUTLET_WORDS_TEXT = """
    news journal times press tribune herald gazette today daily chronicle magazine network
    radio television tv observer telegraph courier examiner inquirer enquirer dispatch
    bulletin sentinel republic advertiser democrat ledger american
"""
_OUTLET_WORDS = frozenset(_OUTLET_WORDS_TEXT.split())
#: Outlets' last words that are surnames too ("Larry Register", "Emily Post"): an outlet's
#: only in a "Contributing:" line, where each name is followed by its outlet ("Stacey
#: Barchenger, Bergen Record; Lisa Kaczke, Sioux Falls Argus Leader").
_OUTLET_SURNAMES_TEXT = "post register star record leader mail review globe bee service"
_OUTLET_SURNAMES = frozenset(_OUTLET_SURNAMES_TEXT.split())
#: An outlet's possessive before a name: "Fox News' Morgan Phillis", "NPR's Greg Myre".
_OUTLET_POSSESSIVE = re.compile(r"\S+(?:[’']s|s[’'])\s+(?=[A-Z])")
#: A place in brackets inside an outlet's name: "The (Jackson, Miss.) Clarion-Ledger".
_BRACKETED_PLACE = re.compile(r"\s*\([^()]*\)(?=\s+[A-Z])")
_CONTRIBUTING = re.compile(r"^(?:.*\s)?contributing:\s*", re.I)
#: The words after a credited name that say where or for whom ("Jane Doe in Berlin", "John
#: Roe for USA TODAY"): the name ends before them.
_PLACE_WORDS = r"(?:in|from|at|of|for)"


def _is_outlet(name: str, contributing: bool = False) -> bool:
    words = name.split()
    last = words[-1].split("-")[-1].lower()
    return (
        words[0].lower() == "the"
        or last in _OUTLET_WORDS
        or (contributing and last in _OUTLET_SURNAMES)
    )


#: A word in capitals (``USA``, ``NBC``, ``KSDK-TV``), not an initial (``R.``).
_CAPITALS_WORD = re.compile(r"[A-Z][A-Z&'’-]*[A-Z]")


def _name_before_outlet(run: str, contributing: bool = False) -> str:
    """The name that heads a run of capitalised words ending in its outlet's name, with no
    comma between them ("Jane Roe USA TODAY", "John Doe The Arizona Republic"); else the run.

    The outlet is cut only where it plainly starts, at "The" or at a word in capitals after
    a name that is not in capitals: "Ann Lee Detroit Free Press" gives no such sign of where
    the name ends, so the run stays whole (and is an outlet's).

    >>> _name_before_outlet("Jane Roe USA TODAY"), _name_before_outlet("JANE ROE USA TODAY")
    ('Jane Roe', 'JANE ROE USA TODAY')
    """
    words = run.split()
    for index in range(2, len(words)):
        word, before = words[index], words[index - 1]
        starts = word == "The" or (
            _CAPITALS_WORD.fullmatch(word) and not _CAPITALS_WORD.fullmatch(before)
        )
        if starts and _is_outlet(" ".join(words[index:]), contributing):
            return " ".join(words[:index])
    return run


@dataclass
class Dateline:
    place: str | None
    agency: str | None = None
    date: str | None = None
    length: int = 0


@dataclass
class WireCopy:
    """A cleaned body and what its wire furniture said."""

    body: str
    dateline: str | None = None
    agency: str | None = None
    dateline_date: str | None = None
    authors: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    #: the reporters the contact foot names; the authors only when nothing else names any
    reporters: list[str] = field(default_factory=list)
    footer_site: str | None = None
    #: the furniture paragraphs that left the body, as (kind, paragraph)
    furniture: list[tuple[str, str]] = field(default_factory=list)


def parse_dateline(text: str) -> Dateline | None:
    """The dateline lead at the start of ``text``, or None.

    >>> d = parse_dateline("TOKYO (AP) — Japan and Britain agreed Saturday")
    >>> d.place, d.agency, text[d.length:] if (text := "TOKYO (AP) — Japan") else None
    ('TOKYO', 'AP', 'Japan')
    >>> d = parse_dateline("SALVADOR, Feb 26 - Showers continued")
    >>> d.place, d.agency, d.date
    ('SALVADOR', None, 'Feb 26')
    >>> parse_dateline("Japan and Britain agreed - on Saturday") is None
    True
    >>> parse_dateline("COVID-19 cases rise") is None
    True
    >>> parse_dateline("(Bloomberg) -- Stocks rose for a third day")
    Dateline(place=None, agency='Bloomberg', date=None, length=15)
    """
    # PR Newswire's lead writes its name between slashes: "NEW YORK, March 3, 2024 /PRNewswire/ --"
    head = _SLASHED_WIRE.sub(r"(\1)", text[:200], count=1)  # as long as before
    if lead := DATELINE_AGENCY_ONLY.match(head):
        agency = agency_named(lead.group("agency"))
        return Dateline(place=None, agency=agency, length=lead.end()) if agency else None
    match = DATELINE_UPPER.match(head) or DATELINE_TITLE.match(head)
    if not match:
        match = DATELINE_BARE.match(head)
        if not match or match.group("agency").lower() not in AGENCY_NAMES:
            return None
    place = match.group("place").strip(" ,")
    if len(place) > MAX_PLACE_CHARS or len(place) < 2:
        return None
    city, comma, region = place.partition(",")
    if city.strip().upper() in NOT_PLACES:
        return None
    if match.re is DATELINE_UPPER and not _looks_like_upper_place(place, match):
        return None
    agency = normalise_agency(match.group("agency"))
    if match.re is not DATELINE_UPPER and agency is None:
        return None
    # One spelling per place, as wires write it: ``Washington (CNN)`` files under WASHINGTON.
    place = city.strip().upper() + (comma + region if comma else "")
    date = dateline_date(match.groupdict().get("date"))
    return Dateline(place=place, agency=agency, date=date, length=match.end())


def dateline_date(written: str | None) -> str | None:
    """The date a dateline gives, where it can be read without guessing.

    Words (``Feb 26``, ``Jan 5, 2025``) and ISO (``2024-04-03``) say which number is the
    month; ``03/04/2024`` (or ``03.04.2024``) does not. It is 3 April where the day is
    written first (Britain and most of the world) and 4 March where the month is (the
    United States), and nothing in a dateline says which the desk followed: its place is
    where the story was filed, not where the desk sits. Such a date is left unread rather
    than risk a day a month off, and the feed's or the page's own date stands.

    >>> dateline_date("Feb 26"), dateline_date("2024-04-03"), dateline_date("03/04/2024")
    ('Feb 26', '2024-04-03', None)
    """
    if written and re.fullmatch(_NUMERIC_DAY, written) and not re.fullmatch(_ISO_DAY, written):
        return None
    return written


def _looks_like_upper_place(place: str, match: re.Match) -> bool:
    """An all-caps lead is a dateline only when short (a headline in caps is not)."""
    city = place.split(",")[0]
    if len(city.split()) > 4:
        return False
    # "US-CHINA - talks" style headlines carry no agency, date or region: demand one of them
    # unless the place is a plain run of capitals followed by a sentence.
    if not (match.group("agency") or match.group("date")) and _HYPHENATED.fullmatch(
        match.string[match.end("place") - 1 : match.end() + 1]
    ):
        # "COVID-19 cases rise", "US-China talks": a hyphen inside a word is no dateline's dash.
        return False
    return bool(match.group("agency") or match.group("date") or "," in place or city.isupper())


#: A hyphen joining two words, with no space on either side.
_HYPHENATED = re.compile(r"\w-\w")


#: What separates paragraphs where copy has blank lines.
BLANK_LINE = re.compile(r"\n[ \t]*\n")
_INDENTED_LINE = re.compile(r"\n(?=[ \t]{2,}\S)")
#: The 1987 Reuters wire's sign-off, with the dots after it (``REUTER...``) and the ``^M`` of
#: a carriage return that the archive kept as text.
_SIGN_OFF_TAIL = r"(?:\.{2,}|…)?(?:\^M)?"
_REUTER_SIGN_OFF = rf"(?i:reuters?){_SIGN_OFF_TAIL}"
#: The sign-off ends the copy on a line of its own (``split_paragraphs`` keeps that line a
#: paragraph), or after a sentence's end or the last figure of a table's row on the last line
#: ("...it said. Reuter", "...17 REUTER"). After a word it is a name's ("signed by Paul
#: Reuter") or a sentence's ("told Reuters"), and stays.
_REUTER_SIGNATURE = re.compile(rf"(?:^|(?<=[.!?\"'”)\d])\s+){_REUTER_SIGN_OFF}\s*$")
#: The 1987 ``Reuter`` sign-off alone on the last line, straight under the text: re-wrapped
#: into the line above, it could not be told from a surname, so it stays a paragraph of its
#: own (after a blank line it is one already). ``Reuters`` alone on a line may be a
#: hard-wrapped sentence's last word ("a spokesman told\nReuters").
_SIGN_OFF_LINE = re.compile(rf"(?<=\S)[ \t]*\n[ \t]*(?P<sign_off>(?i:reuter){_SIGN_OFF_TAIL})\s*$")


def split_paragraphs(text: str) -> list[str]:
    r"""Paragraphs of copy however it was wrapped.

    Blank lines separate paragraphs when there are any (lines inside one are re-joined);
    else an indented line starts one (the hard-wrapped Reuters wire); else each line is one.

    >>> split_paragraphs("One line\nwrapped.\n    Second one.")
    ['One line wrapped.', 'Second one.']
    >>> split_paragraphs("    Sales 22.5 mln\n    NOTE: Full name is Acme\nCorp\n Reuter")
    ['Sales 22.5 mln', 'NOTE: Full name is Acme Corp', 'Reuter']
    """
    sign_off = _SIGN_OFF_LINE.search(text)
    if sign_off:
        text = text[: sign_off.start()]
    if BLANK_LINE.search(text):
        blocks = BLANK_LINE.split(text)
    elif len(_INDENTED_LINE.findall(text)) >= 1 and text.count("\n") > 1:
        blocks = _INDENTED_LINE.split(text)
    else:
        blocks = text.split("\n")
    paragraphs = [" ".join(words) for words in map(str.split, blocks) if words]
    return [*paragraphs, sign_off.group("sign_off")] if sign_off else paragraphs


def strip_footers(paragraphs: list[str]) -> tuple[list[str], str | None, str | None]:
    """Drop trailing footer lines; return the rest, the footer's site and an implied agency."""
    site = agency = None
    while paragraphs:
        last = paragraphs[-1]
        if any(mark.match(last) for mark in TRAILING_MARKS):
            paragraphs = paragraphs[:-1]
            continue
        if signature := _REUTER_SIGNATURE.search(last):
            rest = last[: signature.start()]
            paragraphs = [*paragraphs[:-1], rest] if rest else paragraphs[:-1]
            agency = agency or "Reuters"
            continue
        pattern = next((p for p in FOOTER_PATTERNS if p.match(last)), None)
        if pattern is None:
            break
        found = pattern.match(last)
        if "site" in pattern.groupindex and found.group("site"):
            site = site or found.group("site").lower().removeprefix("www.")
        agency = agency or agency_mentioned(last)
        paragraphs = paragraphs[:-1]
    return paragraphs, site, agency


def credit_names(credit: str) -> list[str]:
    """The people a credit line names.

    >>> credit_names("AP video journalist Mayuko Ono in Tokyo contributed to this report.")
    ['Mayuko Ono']
    >>> credit_names("AP writers Jane Doe in Berlin and John Roe contributed.")
    ['Jane Doe', 'John Roe']
    >>> credit_names("Cone reported from Sacramento, Calif. AP Medical Writer Lauran Neergaard"
    ...     " contributed to this report.")
    ['Lauran Neergaard']
    >>> credit_names("Contributing: John Smith, USA TODAY; Fox News' Ann Lee; The Associated Press")
    ['John Smith', 'Ann Lee']
    """
    match = CREDIT_CONTRIBUTED.match(credit)
    text = match.group("lead") if match else credit
    text = re.sub(
        r"^\(?(?:additional )?(?:reporting|writing|compiled|reported|editing) by "
        r"|^-*\s*with (?:additional )?assistance (?:from|by) ",
        "",
        text,
        flags=re.I,
    )
    contributing = bool(_CONTRIBUTING.match(text))
    text = _CONTRIBUTING.sub("", text)
    if contributing:
        text = _without_outlets(text)
    text = _BRACKETED_PLACE.sub("", text)
    names: list[str] = []
    # a call to follow the writer after the credit: "... Follow Jane Roe on Twitter: @jroe"
    text = re.sub(r"(?<=[.!?])\s+(?i:follow)\s.*$", "", text)
    # editors and desk staff are not the story's contributors: "...; Editing by B and C"
    text = re.split(r"\b(?:editing|edited) by\b", text, flags=re.I)[0]
    # Each clause: "Reporting by A in Paris; Writing by B" or "A in Tokyo and B in Seoul".
    for clause in re.split(r";|\band\b|,(?=\s*[A-Z])", text):
        clause = re.sub(r"\(|\)", " ", clause).strip()
        if re.match(r"^(?:editing|edited|graphics|photos?)\b", clause, re.I):
            continue  # editors and desk staff are not the story's contributors
        clause = re.sub(r"^.*?\bby\s+", "", clause, flags=re.I)
        clause = re.split(rf"\s+{_PLACE_WORDS}\s+(?:the\s+)?[A-Z]", clause)[0]
        clause = _OUTLET_POSSESSIVE.split(clause)[-1]  # "Fox News' Morgan Phillis"
        # the name follows its role: "Calif. Associated Press writer Joan Lowy", "AP Medical
        # Writer Lauran Neergaard"
        for piece in reversed(_ROLE_WORDS.split(clause)):
            found = _NAME_RE.search(piece.strip())
            if found and len(found.group().split()) >= 2:
                name = _name_before_outlet(found.group().strip(" .,"), contributing)
                if not _is_outlet(name, contributing):
                    names.append(name)
                break
    return list(dict.fromkeys(names))


def _without_outlets(contributing: str) -> str:
    """A "Contributing:" list without its outlets, where it names them for each credit:
    "Jane Roe, Nashville Tennessean; John Doe, USA TODAY; The Associated Press". In a list
    of several credits, what follows a credit's last comma is the outlet (or the place,
    "Doug Stanglin in McLean, Va."), whatever its words, unless it is a person placed or
    credited in turn ("Jane Roe, John Doe for USA TODAY", "..., John Doe in Los Angeles").
    A single credit ("Jane Roe, Ann Lee") may be a list of names, and is left whole.

    >>> _without_outlets("Jane Roe, Nashville Tennessean; Ann Lee and Al Roe, KSDK-TV; AP")
    'Jane Roe; Ann Lee and Al Roe; AP'
    """
    credits = contributing.split(";")
    if len(credits) < 2:
        return contributing
    return ";".join(map(_without_outlet, credits))


def _without_outlet(credit: str) -> str:
    head, comma, last = credit.rpartition(",")
    return head if comma and not _PLACED.search(last) else credit


#: A person's credit that says where or for whom: "John Doe in Los Angeles", "... for USA
#: TODAY".
_PLACED = re.compile(rf"\s{_PLACE_WORDS}\s")


def _is_credit(paragraph: str) -> bool:
    short = len(paragraph) < 400
    if not short:
        return False
    if CREDIT_CONTRIBUTED.match(paragraph):
        return True
    if CREDIT_REPORTING.match(paragraph) or CREDIT_ASSISTANCE.match(paragraph):
        return _names_and_credit_words(paragraph)  # not "Reporting by X found that ..."
    return bool(CREDIT_CONTRIBUTING.match(paragraph))


#: The lower-case words a "Reporting by" credit holds besides names: "Reporting by Jane Roe
#: in Kyiv; Additional reporting by John Doe; Editing by Ann Lee and Mark Potter". Any other
#: ("Reporting by ProPublica found that inspectors flagged cracks") makes it a sentence.
_CREDIT_WORDS_TEXT = """
    and by in from to this report story article also contributed contributing reporting assistance
    editing writing additional compiled reported with the of at for staff video photo
    photographer photographers journalist journalists writer writers reporter reporters
    correspondent correspondents producer producers editor editors researcher researchers
"""
_CREDIT_WORDS = frozenset(_CREDIT_WORDS_TEXT.split()) | frozenset(_PARTICLE_WORDS)
_LOWER_WORD = re.compile(r"\b[a-z][a-z]*\b")


def _names_and_credit_words(paragraph: str) -> bool:
    text = re.sub(r"[’']s\b", "", paragraph)  # "CNN's Jane Roe"
    return all(word in _CREDIT_WORDS for word in _LOWER_WORD.findall(text))


def strip_release_foot(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop a press release's wire furniture at its foot: the source line ("SOURCE Acme
    Corp"), the link to the wire's copy ("View original content: https://...") and the links
    under them; return the rest and what went, as ("release", paragraph).

    Only at the foot, where the wire puts them: a link that ends a story, or a contact's
    web address above the wire's lines, is the story's. The contacts above ("Media Contact:
    ...") are the release's, and stay.

    >>> strip_release_foot(["Acme named a chief.", "Media Contact: Jane Doe", "SOURCE Acme"])
    (['Acme named a chief.', 'Media Contact: Jane Doe'], [('release', 'SOURCE Acme')])
    """
    links = len(paragraphs)
    while links and RELEASE_LINKS.match(paragraphs[links - 1]):
        links -= 1
    start = links
    while start and RELEASE_FOOT.match(paragraphs[start - 1]):
        start -= 1
    if start == links:
        return paragraphs, []  # the links are the story's
    if start and paragraphs[start - 1] == RELEASE_LOGO:
        start -= 1
    return paragraphs[:start], [("release", paragraph) for paragraph in paragraphs[start:]]


def strip_source_version_link(
    paragraphs: list[str],
) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop Business Wire's "View source version on businesswire.com: URL" line from the last
    paragraphs, wherever it sits among them (the release's contacts below it stay); return the
    rest and what went, as ("release", line). Text re-wrapped into its paragraph, above or
    below the line, stays as a paragraph of its own.

    >>> kept, removed = strip_source_version_link(["Acme named a chief.", "View source version"
    ...     " on businesswire.com: https://bit.ly/x", "Contacts", "Jane Doe"])
    >>> kept
    ['Acme named a chief.', 'Contacts', 'Jane Doe']
    >>> removed
    [('release', 'View source version on businesswire.com: https://bit.ly/x')]
    """
    start = max(0, len(paragraphs) - SOURCE_VERSION_PARAGRAPHS)
    kept, removed = paragraphs[:start], []
    for paragraph in paragraphs[start:]:
        link = SOURCE_VERSION_LINK.search(paragraph)
        if link is None:
            kept.append(paragraph)
            continue
        removed.append(("release", link.group()))
        around = (paragraph[: link.start()].strip(), paragraph[link.end() :].strip())
        kept.extend(part for part in around if part)
    return kept, removed


def strip_attachments(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop GlobeNewswire's list of a release's attachments at its foot, heading and names
    ("Attachments", "Acme Logo", "Q3 Results"); return the rest and what went, as
    ("release", paragraph). Only for a release on that wire (the caller checks its lead),
    and only when every line under the heading reads as a file's name.

    >>> strip_attachments(["Acme named a chief.", "Attachment", "Acme Logo"])
    (['Acme named a chief.'], [('release', 'Attachment'), ('release', 'Acme Logo')])
    """
    for index in range(max(0, len(paragraphs) - MAX_ATTACHMENTS - 1), len(paragraphs) - 1):
        if not ATTACHMENTS_HEADING.match(paragraphs[index]):
            continue
        names = paragraphs[index + 1 :]
        if all(
            len(name) <= MAX_ATTACHMENT_CHARS and not _NOT_AN_ATTACHMENT.search(name)
            for name in names
        ):
            return paragraphs[:index], [("release", p) for p in paragraphs[index:]]
    return paragraphs, []


def strip_contacts(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop the foot that tells readers whom to contact ("To contact the reporter on this
    story: ..."), addresses and all; return the rest and what went, as ("contact", paragraph).

    >>> strip_contacts(["Stocks rose.", "To contact the reporter on this story:", "Al Roe at"
    ...     " aroe@bloomberg.net"])[0]
    ['Stocks rose.']
    """
    start = max(0, len(paragraphs) - CONTACT_PARAGRAPHS)
    for index in range(start, len(paragraphs)):
        block = paragraphs[index:]
        if (
            CONTACT_HEADING.match(paragraphs[index])
            and sum(map(len, block)) <= MAX_CREDIT_BLOCK_CHARS
        ):
            return paragraphs[:index], [("contact", p) for p in block]
    return paragraphs, []


def contact_reporters(contacts: list[str]) -> list[str]:
    """The people the contact foot lists as the story's reporters (or its author or writers),
    without their city or address; the editors it lists are not the story's.

    Bloomberg's copy names its reporters only there, with no byline above the story.

    >>> contact_reporters(["To contact the reporters on this story: Jane Doe in London at"
    ...     " jdoe@bloomberg.net; Jean-Luc de la Rue in Paris at jrue@bloomberg.net",
    ...     "To contact the editors responsible for this story: Ann Lee at alee@bloomberg.net"])
    ['Jane Doe', 'Jean-Luc de la Rue']
    """
    text = "\n".join(contacts)
    headings = list(CONTACT_HEADING.finditer(text))
    names: list[str] = []
    for index, heading in enumerate(headings):
        if heading.group("role").lower().startswith("editor"):
            continue
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        listed = text[heading.end() : end]
        for entry in _CONTACT_ENTRY_END.split(listed):
            name = _CONTACT_NAME_END.split(entry.strip(" ,.:"), maxsplit=1)[0].strip(" ,")
            if _CONTACT_NAME.fullmatch(name) and not agency_named(name):
                names.append(name)
    return list(dict.fromkeys(names))


def strip_credits(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Drop the trailing ``___`` block and credit lines; return the rest and the names."""
    names: list[str] = []
    for index in range(len(paragraphs) - 1, max(-1, len(paragraphs) - 6), -1):
        if SEPARATOR.match(paragraphs[index]):
            block = paragraphs[index + 1 :]
            if sum(len(p) for p in block) <= MAX_CREDIT_BLOCK_CHARS:
                for line in block:
                    if _is_credit(line):
                        names.extend(credit_names(line))
                paragraphs = paragraphs[:index]
            break
    while paragraphs and _is_credit(paragraphs[-1]):
        names = credit_names(paragraphs[-1]) + names
        paragraphs = paragraphs[:-1]
    while paragraphs and SEPARATOR.match(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    return paragraphs, list(dict.fromkeys(names))


def is_note(paragraph: str) -> bool:
    """Whether a paragraph is a note from the desk about the story, not the story.

    >>> is_note("UPDATED: Adds comment from finance minister"), is_note("(Corrects name)")
    (True, True)
    >>> is_note("Updated figures showed the economy grew 2%.")
    False
    """
    return len(paragraph) <= MAX_NOTE_CHARS and bool(NOTE.match(paragraph))


def strip_notes(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop the desk's notes at the head of the story (above or below its byline) and in its
    last paragraphs (a correction sits before or after the credits); return the rest and the
    notes, as ("note", paragraph).

    An editor's note at the top tells the reader how to take the story ("This story contains
    graphic descriptions"); it is not the story's lead, which the dateline opens.
    """
    head = 0
    while head < len(paragraphs) and (
        is_note(paragraphs[head]) or byline_paragraph(paragraphs[head]) is not None
    ):
        head += 1
    foot = max(head, len(paragraphs) - FOOT_NOTE_PARAGRAPHS)
    kept, notes = [], []
    for index, paragraph in enumerate(paragraphs):
        if (index < head or index >= foot) and is_note(paragraph):
            note, credit = _note_and_credit(paragraph)
            notes.append(("note", note))
            paragraph = credit
        if paragraph:
            kept.append(paragraph)
    return kept, notes


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _note_and_credit(paragraph: str) -> tuple[str, str]:
    """A note and the credit its paragraph ends with, if any: "This story has been updated
    to include ... Jane Roe contributed to this report." keeps its credit for the credits."""
    sentences = _SENTENCE_BREAK.split(paragraph)
    if len(sentences) > 1 and _is_credit(sentences[-1]):
        return " ".join(sentences[:-1]), sentences[-1]
    return paragraph, ""


def strip_furniture(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Drop caption, gallery, advert, prompt and teaser paragraphs; return the rest and what
    went, as (kind, paragraph).

    >>> kept, removed = strip_furniture(["Image copyright AFP", "Talks resumed.", "Advertisement"])
    >>> kept, removed
    (['Talks resumed.'], [('caption', 'Image copyright AFP'), ('advert', 'Advertisement')])
    """
    cleaned = clean_lines(paragraphs)
    return (cleaned.text.split("\n\n") if cleaned.text else []), cleaned.removed


def signed_off_by(furniture: list[tuple[str, str]]) -> str | None:
    """The agency whose sign-off (``dpa/lno``) left the body as a credit line, if any.

    >>> signed_off_by([("caption", "AP"), ("credit", "dpa/lno")])
    'dpa'
    """
    for kind, line in furniture:
        found = SIGN_OFF.match(line) if kind == "credit" else None
        if found:
            return agency_named(found.group(1) or found.group(2))
    return None


def strip_byline(paragraphs: list[str]) -> tuple[list[str], Byline]:
    """A leading ``By NAME`` paragraph (short, on its own) leaves the body."""
    byline = byline_paragraph(paragraphs[0]) if paragraphs else None
    return (paragraphs[1:], byline) if byline else (paragraphs, Byline())


def clean_wire_copy(text: str) -> WireCopy:
    """Run the steps over a story's text and return the cleaned body and its fields."""
    paragraphs = split_paragraphs(text.replace("\r\n", "\n").replace("\u00a0", " "))
    paragraphs, site, footer_agency = strip_footers(paragraphs)
    paragraphs, release = strip_release_foot(paragraphs)
    paragraphs, source_version = strip_source_version_link(paragraphs)
    paragraphs, contacts = strip_contacts(paragraphs)
    paragraphs, notes = strip_notes(paragraphs)
    paragraphs, contributors = strip_credits(paragraphs)
    paragraphs, more_site, more_agency = strip_footers(paragraphs)
    paragraphs, furniture = strip_furniture(paragraphs)
    paragraphs, byline = strip_byline(paragraphs)
    copy = WireCopy(body="", contributors=contributors, authors=byline.names)
    copy.reporters = contact_reporters([paragraph for _, paragraph in contacts])
    copy.furniture = release + source_version + contacts + notes + furniture
    copy.footer_site = site or more_site
    if paragraphs:
        dateline = parse_dateline(paragraphs[0])
        if dateline:
            rest = paragraphs[0][dateline.length :].lstrip()
            paragraphs[0] = rest[:1].upper() + rest[1:] if rest else rest
            if not paragraphs[0]:
                paragraphs = paragraphs[1:]
            copy.dateline, copy.agency, copy.dateline_date = (
                dateline.place,
                dateline.agency,
                dateline.date,
            )
    if copy.agency == "GlobeNewswire":  # its lead names the wire: the list is its furniture
        paragraphs, attachments = strip_attachments(paragraphs)
        copy.furniture += attachments
    copy.agency = (
        copy.agency or byline.agency or footer_agency or more_agency or signed_off_by(furniture)
    )
    copy.body = "\n\n".join(paragraphs)
    return copy
