"""Bylines: who wrote a story, however the copy, the export or the page writes it down.

One parser serves every source, so an author is the same name whichever file it came in:
a wire byline paragraph (``By Jane Doe and John Roe, Associated Press``), an export's author
field (``by Janie Gabbett, Reuters``), a page's author meta tag or byline markup (``Von Heike
Buchter``, ``VON MORITZ GATHMANN am 21. April 2020``, ``Text: Klausmartin Friedrich``).

``parse_byline`` strips the "By" of many languages, cuts the date and furniture that often
follow the names, splits the names, files a wire among them as the agency (the table in
``agencies``) and keeps only parts that read as a person's name. ``byline_paragraph`` is
the stricter test for a paragraph of running text: it must open with "By" and hold nothing
but names.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from search.extract.agencies import AGENCIES, AGENCY_NAMES, AGENCY_WORDS, agency_named

#: What opens a byline: "By", "Von", "Par", "Por", "Door", "Di", "Przez", "Text von", "Autor:";
#: "Redaktion:" too, but "Redaktion Polizeiticker" is a desk, not a person named "Polizeiticker".
BY_PREFIX = re.compile(
    r"^\W*(?:(?:written|posted|reported|story|text|words|published|post author|ein artikel"
    r"|an article)\s+)?"
    r"(?:by|von|par|por|door|di|przez|autor(?:in)?|author|auteur|autore|text"
    r"|redaktion(?=\s*[:\uff1a])|interview|artikel von|beitrag von"
    r"|(?:verfasst|eingestellt|erstellt|geschrieben|publiziert|veröffentlicht) von"
    r"|publié par|publicado por|escrito por"
    r"|责任编辑|编辑|作者|记者)\b[\s:.\uff1a]*",  # Chinese: editor in charge, editor, author
    re.I,
)
#: A section or kicker before a capitalised "Von"/"By" ("Disko Von Ernst Lohoff"); a
#: lower-case "von" inside a name is a particle ("Anna von Berg").
_BEFORE_INNER_BY = re.compile(
    r"^\S+(?:\s\S+)?\s(?=(?:By|BY|Von|VON|Par|PAR|Por|POR)\s[A-ZÀ-Ý]\S*\s[A-ZÀ-Ý])"
)
#: The prefixes that make a paragraph of running text a byline ("By the end ..." is not one).
PARAGRAPH_PREFIX = re.compile(r"^(?:By|BY|by|Von|VON|von|Par|PAR|par|Por|POR|por|Text von)\s+")
#: Between names: punctuation, "and" in the languages of the archive, an interview's "X im
#: Gespräch mit Y".
_NAME_SEPARATOR = re.compile(
    r"\s*(?:[,;&|/•·]|\s[-–—]\s|\s(?:and|And|AND|und|UND|y|et|e|i|og|en)\s"
    r"|\s(?i:im gespräch mit|in conversation with)\s)\s*"
)
#: Roles around a name: "FOCUS-Online-Experte Robin Tschöpe", "Christoph Hein Chefredakteur",
#: "Christian Seiler Illustration von Markus Roost", "Brendan Carlin For The Mail On Sunday".
_ROLES = (
    r"illustrations?|fotos?|photos?|bilder|grafik|edited|editing|chefredakteur(?:in)?"
    r"|redakteur(?:in)?|staff|experte|expertin|expert|korrespondent(?:in)?|correspondent"
    r"|reporter(?:in)?|(?:presse)?sprecher(?:in)?|spokes(?:wo)?man|spokesperson|mitglied"
    r"|rechtsanwalt|rechtsanwältin|anwalt|anwältin|attorney"
)
_ROLE_BEFORE = re.compile(rf"^\S*(?i:{_ROLES})\s*:?\s+")
_ROLE_AFTER = re.compile(rf"\s+(?:(?i:{_ROLES})|for|For|FOR|für|pour|para)\b.*$")
#: Month names (followed by a day or year where a byline's date begins: "November 9") and
#: weekday names, in the languages of the archive.
_MONTHS = (
    r"jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|févr(?:ier)?|march|märz|mars|apr(?:il)?|avril"
    r"|may|mai|mayo|maggio|june?|juni?|juin|july|juli?|juillet|aug(?:ust)?|août|sept?(?:ember)?"
    r"|oct(?:ober)?|okt(?:ober)?|octobre|nov(?:ember)?|novembre|dec(?:ember)?|dez(?:ember)?"
    r"|décembre|enero|febrero|marzo|abril|junio|julio|agosto|septiembre|octubre|noviembre"
    r"|diciembre"
)
_WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch"
    r"|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
#: A byline ends where its date or furniture begins: a figure starting a word, a month
#: before a figure, a weekday, a bar between parts, the categories a post is filed "under".
_DATE_START = re.compile(
    rf"\s(?=\d)|\s\|\s|\s(?=under\s)|,?\s(?=(?i:{_WEEKDAYS})\b|(?i:{_MONTHS})\.?\s+\d)"
)
_DATE_WORD = re.compile(rf"^(?i:{_MONTHS}|{_WEEKDAYS})\.?$")
#: Words left hanging before a cut date ("am 21. April", "on May 3", "Fr, 5.").
_HANGING = re.compile(
    r"(?:\s+(?:am|on|at|um|vor|le|el|il|vom|den|de|updated|aktualisiert|published|publicado|posted"
    r"|mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun)\.?)+\s*$",
    re.I,
)
#: Furniture that trails a name in byline markup ("Alle Artikel", "Mehr", "Follow").
_TRAILING_FURNITURE = re.compile(
    r"\s+(?:alle artikel|alle beiträge|alles von|mehr|more|follow|folgen|profil|profile|e-?mail"
    r"|twitter|search|suche|@\w+)\b.*$",
    re.I,
)
#: Words that never stand in a person's name: dates, reading times, comment furniture, an
#: author box's heading ("Zur Person").
_NOT_A_NAME = re.compile(
    r"\b(?:updated|published|min(?:ute)?s?|read|lesezeit|uhr|stand|says|said|sagt|schreibt"
    r"|writes|posted|erforderlich|required|enter|null|undefined|anonymous|admin|no author"
    r"|publicado|hace|ago|vor|auteurs?|autor(?:in|en)?|authors?|publiziert|veröffentlicht"
    r"|datum|date|beitrag|geschrieben|kommentare?|comments?|quelle|source|follow|folgen"
    r"|gesponsert|sponsored|agencies|agenturen|agencias|beiträge|inhalte|zuletzt|geändert"
    r"|edition|archiv|images?|bilder|fotos?|aktualisierung|aktualisiert|person|blog)\b",
    re.I,
)
#: Picture agencies, whose credits share a byline's markup ("Jupiterimages; iStockphoto").
_PHOTO_AGENCY = re.compile(
    r"images|istock|shutterstock|getty|\bimago\b|picture.alliance|fotolia|adobe.?stock", re.I
)
#: A byline that is a link to a profile or an address, not a name.
_LINK = re.compile(r"^(?:https?://|www\.|\S+@\S+$)", re.I)
_URL_OR_EMAIL = re.compile(r"https?:|www\.|\S+@\S+|\.(?:com|org|net|de)\b|^@", re.I)
#: Credentials and suffixes that follow a name after a comma ("Jane Roe, PhD").
_CREDENTIAL = re.compile(r"^(?:ph\.?\s?d|m\.?d|dr|prof|mba|rn|esq)\.?$", re.I)
#: Words that make a capitalised part an organisation or a role, not a person.
_ORGANISATION = re.compile(
    r"\b(?:the|news|times|press|journal|herald|tribune|gazette|staff|writer|reporter"
    r"|correspondent|editor|contributor|redaktion|agency|media|network|service|team"
    r"|online|magazin|magazine|verlag|gmbh|e\.\s?v|inc|ltd)\b",
    re.I,
)
MAX_NAME_WORDS = 6
#: A one-word part this short in one case is a code, not a name.
MAX_ACRONYM_CHARS = 4
MAX_NAME_CHARS = 70
#: Strict names (running text): capitalised words, initials and particles.
_PARTICLES = frozenset({"de", "da", "del", "der", "van", "von", "la", "le", "al", "el", "bin"})
_CAPITALISED = re.compile(r"^[A-ZÀ-Ý][\w'’.-]*$")
#: A Chinese name: two to four Han characters ("焦鹏"), written without capitals.
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@dataclass
class Byline:
    """The people a byline names, and the agency it credits, if any."""

    names: list[str] = field(default_factory=list)
    agency: str | None = None


def parse_byline(text: str | None, *, strict: bool = False) -> Byline:
    """The names (and agency) in a byline; parts that are not a person's name are left out.

    ``strict`` (for running text) keeps only capitalised names and gives an empty byline when
    any part is neither a name, an agency, an organisation nor a credential.

    >>> parse_byline("by Janie Gabbett, Reuters")
    Byline(names=['Janie Gabbett'], agency='Reuters')
    >>> parse_byline("By MARI YAMAGUCHI and JOSH BOAK Associated Press")
    Byline(names=['Mari Yamaguchi', 'Josh Boak'], agency='AP')
    >>> parse_byline("VON MORITZ GATHMANN am 21. April 2020").names
    ['Moritz Gathmann']
    >>> parse_byline("By Alan Jones, PA Industrial Correspondent")
    Byline(names=['Alan Jones'], agency='PA')
    >>> parse_byline("Grant Tinsley, PhD; Perry Bacon Jr.").names
    ['Grant Tinsley', 'Perry Bacon Jr.']
    >>> parse_byline("Kersti Wolnow sagt").names, parse_byline("jane@example.com").names
    ([], [])
    """
    byline = Byline()
    if not text:
        return byline
    text = html.unescape(str(text)) if "&" in str(text) else str(text)
    text = " ".join(text.replace("\xad", "").split())  # soft hyphens: "Mat\xadthi\xadas"
    text = BY_PREFIX.sub("", _BEFORE_INNER_BY.sub("", text, count=1))
    if _LINK.match(text):
        return byline
    text = _HANGING.sub("", _DATE_START.split(text, maxsplit=1)[0].rstrip(" ,;"))
    text = _AGENCY_AFTER_NAMES.sub(r", \1", text)  # "MARI YAMAGUCHI Associated Press"
    text = _AGENCY_DESK_AFTER_NAMES.sub(r", \1", text)  # "SETH BORENSTEIN AP Science Writer"
    # an aside in brackets is one part, not split at its "und": "Empa (Materialprüfungs- und
    # Forschungsanstalt)"; an agency in brackets stays a part ("Jane Roe (AP)")
    text = _BRACKETED.sub(lambda m: f", {m[1]}" if agency_named(m[1]) else " ", text)
    for part in _NAME_SEPARATOR.split(text):
        desk = _AGENCY_DESK.match(part.strip())
        if desk:  # "PA Industrial Correspondent": the agency's desk, not a person
            byline.agency = byline.agency or agency_named(desk.group(1))
            continue
        part = _clean_part(part)
        if not part or _CREDENTIAL.match(part):
            continue
        agency = agency_named(part)
        if agency:
            byline.agency = byline.agency or agency
        elif is_person_name(part, strict=strict):
            part = from_capitals(part)
            if part.casefold() not in (n.casefold() for n in byline.names):
                byline.names.append(part)
        elif strict and not _ORGANISATION.search(part):
            return Byline()
    return byline


#: A roman numeral ending a name ("John Smith III"), kept in capitals.
_ROMAN = re.compile(r"^(?:I{1,3}|IV|V|VI{1,3}|IX|X)\.?$")


def from_capitals(name: str) -> str:
    """A name a wire wrote in capitals, as people write it, so that the authors facet has
    one spelling of a writer whatever the desk's style; any other name as written.

    >>> from_capitals("MARY-ANN O'NEILL"), from_capitals("JOHN SMITH III")
    ("Mary-Ann O'Neill", 'John Smith III')
    >>> from_capitals("Jane Roe"), from_capitals("DPA")
    ('Jane Roe', 'DPA')
    """
    if not name.isupper() or sum(ch.isalpha() for ch in name) < 4:
        return name
    return " ".join(word if _ROMAN.match(word) else word.title() for word in name.split())


_BRACKETED = re.compile(r"\(([^()]*)\)")
#: An agency's name of two words or more straight after the names, with no comma: AP's own
#: style ("By MARI YAMAGUCHI Associated Press"). One-word names are left alone: "Reuter" and
#: "Bernama" end a person's name as often.
_AGENCY_AFTER_NAMES = re.compile(
    r"(?<=[^\s,;])\s+((?i:"
    + "|".join(re.escape(s) for s in sorted(AGENCY_NAMES, key=len, reverse=True) if " " in s)
    + r"))$"
)


#: A wire's desk after the names: "PA Industrial Correspondent", "AP Science Writer",
#: "Reuters Health Correspondent", "Press Association Chief Political Editor".
_DESK_ROLES = r"(?i:writer|correspondent|reporter|editor|journalist|photographer|producer|staff)s?"
_DESK_AFTER_AGENCY = rf"(?:[’']s)?(?:\s+[A-Z][\w&-]*){{0,3}}\s+{_DESK_ROLES}"
_AGENCY_DESK = re.compile(rf"^({AGENCY_WORDS}){_DESK_AFTER_AGENCY}$")
#: The same desk straight after the names, with no comma (AP's "By SETH BORENSTEIN AP Science
#: Writer"), for agencies written as acronyms or in two words or more: a one-word name
#: ("Reuter") ends a person's name as often.
_AGENCY_DESK_AFTER_NAMES = re.compile(
    r"(?<=[^\s,;])\s+((?:"
    + "|".join(
        re.escape(name)
        for name in sorted(AGENCIES, key=len, reverse=True)
        if len(name) <= MAX_ACRONYM_CHARS
    )
    + "|(?i:"
    + "|".join(re.escape(s) for s in sorted(AGENCY_NAMES, key=len, reverse=True) if " " in s)
    + rf")){_DESK_AFTER_AGENCY})$"
)


def _clean_part(part: str) -> str:
    part = BY_PREFIX.sub("", part)
    part = re.sub(r"\([^)]*\)?", " ", part)  # "(Pressesprecher des EJW)"
    part = _TRAILING_FURNITURE.sub("", part)
    without_roles = _ROLE_AFTER.sub("", _ROLE_BEFORE.sub("", part.strip()))
    # a role word that leaves a single word behind is part of a pen name ("Rasender Reporter"),
    # unless that word is an agency's ("Reuters Staff")
    single = " " not in without_roles.strip()
    if not single or " " not in part.strip() or agency_named(without_roles.strip()):
        part = without_roles
    part = " ".join(part.split()).strip(" ,:;-–—|()[]\"'~*©»«")
    last = part.rsplit(" ", 1)[-1]
    if part.endswith(".") and len(last) > 4:  # a sentence's full stop, not "Jr." or "C."
        part = part[:-1]
    return part


def is_person_name(name: str, *, strict: bool = False) -> bool:
    """Whether ``name`` can be a person's name (or a writer's handle) in a byline."""
    if len(name) > MAX_NAME_CHARS or len(name.split()) > MAX_NAME_WORDS:
        return False
    if sum(ch.isalpha() for ch in name) < 2:
        return False
    if _URL_OR_EMAIL.search(name) or _NOT_A_NAME.search(name) or _PHOTO_AGENCY.search(name):
        return False
    if "*" in name or "©" in name:
        return False
    if name.islower() and re.search(r"[-_.]", name):  # a URL slug ("gloria-ruiz-kuilan")
        return False
    if " " not in name and len(name) <= MAX_ACRONYM_CHARS and (name.isupper() or name.islower()):
        return False  # a desk or agency code ("dpa/lno", "SP-X", "DT"), not a name
    if _ORGANISATION.search(name) or _DATE_WORD.match(name):
        return False
    if strict:
        return all(
            _CAPITALISED.match(w) or w in _PARTICLES or _HAN_NAME.match(w) for w in name.split()
        )
    return True


_SLUG = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)+$")
_DOMAIN = re.compile(r"\.(?:[a-z]{2}|com|org|net|info|biz)$")
#: Words that join the parts of a credit ("Staff and news service reports", "FR mit dpa").
_CREDIT_JOINERS = frozenset({"and", "und", "of", "the", "de", "du", "von", "mit", "et", "y", "for"})


def byline_credit(text: str | None) -> str | None:
    """What a byline credits when it names no person, as the page writes it: a desk, an
    outlet, an agency or a writer's handle ("By Staff Writer", "von Redaktion,", "AFP/The
    Local", "tlow"), without its "By" and the date after it; None for a link, a date, a
    picture credit or a phrase too long to be a credit.

    >>> byline_credit("By Staff Writer"), byline_credit("Von: det/dpa, 5. Mai 2024")
    ('Staff Writer', 'det/dpa')
    >>> byline_credit("Updated 3 min ago") is None, byline_credit("www.example.com") is None
    (True, True)
    """
    if not text:
        return None
    text = BY_PREFIX.sub("", " ".join(html.unescape(str(text)).split()))
    text = re.sub(r"^(?:vom|from the|from)\s+", "", text, flags=re.I)  # "vom Support Team"
    if _LINK.match(text):
        return None
    text = _HANGING.sub("", _DATE_START.split(text, maxsplit=1)[0])
    kept = _TRAILING_FURNITURE.sub("", text)
    if len(kept.split()) < len(text.split()) / 2:
        return None  # mostly furniture: a menu or a teaser ("jdoe Creating Search Engine API")
    text = kept.strip(" ,:;-–—|()[]\"'~»«")
    if not text or len(text.split()) > MAX_NAME_WORDS or len(text) > MAX_NAME_CHARS:
        return None
    if re.search(r"\b(?:by|von|par|por)$", text, re.I):
        return None  # a label whose name is in the next element ("Article by")
    if sum(ch.isalpha() for ch in text) < 2 or any(ch in text for ch in "©*:"):
        return None  # a label left inside ("Text und Interview: Jane Roe") is no credit
    if _DATE_WORD.match(text) or _SLUG.match(text) and not _DOMAIN.search(text):
        return None  # a weekday, a URL slug ("jane.roe"; a domain is a site's name)
    if _URL_OR_EMAIL.search(text) or _NOT_A_NAME.search(text) or _PHOTO_AGENCY.search(text):
        return None
    return text


def credit_shaped(text: str) -> bool:
    """Whether a credit found in page markup is written like a name, not a phrase: one
    token, or words in capitals but for joiners and at most one other ("auto-motor.at
    Redaktion"), at most four of them."""
    words = text.split()
    if len(words) == 1:
        return True
    lower = [w for w in words if not w[:1].isupper() and w.casefold() not in _CREDIT_JOINERS]
    return len(words) <= MAX_CREDIT_WORDS and len(lower) <= 1 and not re.search(r"[.!?,]$", text)


MAX_CREDIT_WORDS = 4


def byline_paragraph(paragraph: str) -> Byline | None:
    """A paragraph that is only a byline (``By Jane Doe and John Roe, AP``), else None.

    >>> byline_paragraph("By Jane Doe and John Roe, Associated Press")
    Byline(names=['Jane Doe', 'John Roe'], agency='AP')
    >>> byline_paragraph("By The Associated Press")
    Byline(names=[], agency='AP')
    >>> byline_paragraph("By the end of the week the talks had failed.") is None
    True
    """
    if not PARAGRAPH_PREFIX.match(paragraph) or len(paragraph) > MAX_NAME_CHARS * 2:
        return None
    byline = parse_byline(paragraph, strict=True)
    return byline if byline.names or byline.agency else None
