"""Page furniture left in text: the lines around a story that are not the story.

Main-text extractors (trafilatura, newspaper3k, a CMS export) let through lines that belong
to the page, not the story: photo captions and credits, gallery chrome, "Advertisement",
prompts to subscribe, follow or share, "Read more" teasers, dates and comment counters on
lines of their own, and trailing "Related stories" sections. One set of rules serves text
extracted here from HTML (``html.postclean``) and text that arrives already extracted
(export and feed bodies, through ``wire.clean_wire_copy``), so a caption is dropped whichever
way a story came in.

Each rule names its kind (``caption``, ``gallery``, ``advert``, ``prompt``, ``teaser``,
``credit``, ``dateline``, ``comments``), so ``bench/syndication.py`` and the tests can count
what was removed and why. A rule only ever removes a whole line, and only a short one unless
the line is unmistakable (a gallery's "Hide Caption 3 of 43").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.extract.agencies import AGENCY_WORDS
from search.extract.dates import is_date_line

#: Furniture lines are short; a longer line that merely starts like one is story text.
MAX_FURNITURE_CHARS = 160
#: A source credit longer than this describes the data ("Source: a poll of 2,092 adults ...").
MAX_SOURCE_CHARS = 80
#: Prompts to subscribe or support run a little longer ("Gefällt dir unser Magazin? ...").
MAX_PROMPT_CHARS = 300
#: A caption describes a photo in a sentence or two before its credit.
MAX_CAPTION_CHARS = 400

_PHOTO_AGENCIES = rf"(?:{AGENCY_WORDS}|Getty(?: Images)?|EPA|Pool|Shutterstock|iStock|dpa|NBC\w*)"


@dataclass(frozen=True)
class Rule:
    """A kind of furniture line: its pattern, the longest line it may remove, and words one
    of which the line must hold before the pattern is tried (a cheap test that spares most
    lines of story text the regular expression)."""

    kind: str
    pattern: re.Pattern
    longest: int = MAX_FURNITURE_CHARS
    #: words one of which the lowercased line must hold (as one pattern: a single C call)
    needs: re.Pattern | None = None


def _rule(kind: str, pattern: str, longest: int = MAX_FURNITURE_CHARS, needs=(), flags=re.I):
    words = re.compile("|".join(map(re.escape, needs))) if needs else None
    return Rule(kind, re.compile(pattern, flags), longest, words)


RULES: list[Rule] = [
    # gallery chrome: "Hide Caption 3 of 43", "prev next Image 2 of 13", "Slideshow (4 Images)"
    _rule("gallery", r"\bhide caption \d+ of \d+\b", 1 << 20, needs=["hide caption"]),
    _rule(
        "gallery",
        r"^\W*(?:(?:prev|next|previous)\s+)*(?:image|photo|picture|bild|foto) \d+ (?:of|von|/)"
        r" \d+\W*$|^\W*(?:slideshow|gallery|galerie|fotostrecke)\s*\(?\d+\s*(?:images?|photos?"
        r"|bilder|fotos)\)?\W*$|^\W*(?:more photo galleries|view gallery|see (?:the )?gallery)\W*$",
    ),
    # photo captions and credits
    _rule(
        "caption",
        r"^\W*(?:(?:image|photo|media|video) (?:copyright|caption)\b|media playback is"
        r" unsupported|enlarge this image|(?:show|hide|toggle) caption\b|file photo:"
        r"|(?-i:FILE) ?[-–—] ?(?:in )?this\b.{0,80}\bphoto\b"
        r"|(?:photo|image|picture|foto|bild|titelbild|beitragsbild|symbolbild|fotos?)"
        r"(?: credit| courtesy)?\s*(?:by\s|:)|(?:photo )?credits?\s*:|crédits? photos?\s*:"
        r"|image illustrative)",
        MAX_CAPTION_CHARS,
    ),
    _rule(  # a caption ending in its credit: "... May 9, 2019. (Photo: Andy Wong/AP)"
        "caption",
        rf"(?:\((?:(?:AP|AFP)\s+)?(?i:photos?|fotos?|image|credit|picture)\b[^()]{{0,80}}\)"
        rf"|\([^()]{{0,60}}/\s*{_PHOTO_AGENCIES}[^()]{{0,30}}\)"
        rf"|\bREUTERS/[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){{0,3}}(?:/File Photo)?"
        rf"|©\s?{_PHOTO_AGENCIES}\s?/\s?[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){{0,3}})\W*(?:More)?$"
        rf"|\s\|\s[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){{0,3}}\s?/\s?{_PHOTO_AGENCIES}\b",
        MAX_CAPTION_CHARS,
        needs=["(", "reuters/", "©", " | "],
        flags=0,
    ),
    _rule(  # a credit alone: "Andy Wong/AP Photo", "AFP/Getty Images"
        "caption",
        rf"^\W*(?:[A-Z][\w.'’-]+ ){{0,4}}[A-Z][\w.'’-]+\s?/\s?{_PHOTO_AGENCIES}"
        rf"(?:\s?/\s?{_PHOTO_AGENCIES})*(?: Photo)?\W*$|^\W*(?:AFP|AP|Getty Images"
        rf"|Reuters|AFP/Getty Images)\W*$",
        flags=0,
    ),
    # advertising and its disclosures
    _rule(
        "advert",
        r"^\W*(?:advertisement|advertising|anzeige|werbung|publicidad|publicité|reklama"
        r"|sponsored(?: content)?|ad)\W*(?:continue reading(?: the main story)?"
        r"|story continues below|advertisement)?\W*$|^\W*(?:story continued below"
        r"|continue reading below|article continues below|story continues below"
        r"(?: advertisement)?|skip ad(?:vertisement)?|loading\.*)\W*$",
    ),
    _rule(
        "advert",
        r"\b(?:affiliate[- ]links?|enthält werbung|provisions-?links?|this post contains"
        r" (?:references to products|affiliate)|we recommend the best products)\b",
        MAX_FURNITURE_CHARS * 2,
        needs=["affiliate", "werbung", "provision", "this post contains", "we recommend"],
    ),
    # prompts to subscribe, sign up, follow, share, download, support
    _rule(
        "prompt",
        r"^\W*(?:sign up\b|subscribe\b|click here\b|follow (?:us|@\w+|\w+ on (?:twitter"
        r"|facebook|instagram)|the \w+ on)|share this\b|share tweet\b|newsletter sign"
        r"|get (?:the|our)\b.{0,40}\bapp\b|download (?:the|our)\b.{0,30}\bapp\b|like us on"
        r"|join us on|manage newsletters|get (?:the )?.{0,60}(?:delivered|in your inbox)"
        r"|want .{0,40} in your inbox|support (?:our|us|\w+[’']s)\b|folgen sie uns"
        r"|síguenos|siguenos|abonnieren sie|jetzt abonnieren|melden sie sich|klicken sie hier"
        r"|hazte miembro|únete|unterstütze|zapraszamy|dhb jetzt|never miss\b"
        r"|to view the full story|submit your letter|we want to hear what you think"
        r"|if you enjoyed (?:reading )?this|gefällt dir unser|kennt ihr schon)",
        MAX_PROMPT_CHARS,
    ),
    _rule(
        "prompt",
        r"\b(?:canal|channel|kanal) (?:de |on |auf )?(?:youtube|telegram|whatsapp)\b"
        r"|\b(?:cancela cuando quieras|cancel any ?time|jederzeit kündbar)\b",
        MAX_PROMPT_CHARS,
        needs=["youtube", "telegram", "whatsapp", "cancel", "kündbar"],
    ),
    # teasers pointing to other stories
    _rule(
        "teaser",
        r"^\W*(?:read (?:more|also)|also read|related|see also|more on this|recommended"
        r"|more:|watch:|also see:|\(\s*photos?:|lesen sie (?:auch|mehr|hier)|auch lesen"
        r"|mehr zum thema|mehr themen|weitere artikel|weiterlesen|zum weiterlesen"
        r"|das könnte (?:sie|dich) auch interessieren|lea (?:también|más)|lea"
        r"|lee también|le puede interesar|te puede interesar|vea también|ver también"
        r"|mira|mire|puedes ver|lire aussi|à lire aussi|a lire aussi|leggi anche"
        r"|czytaj (?:też|także|więcej)|zobacz (?:też|także)|przeczytaj (?:też|także)"
        r"|dowiedz się więcej)(?:\b[^.!?:]{0,40}[:|»>)]|\W*$)",
    ),
    _rule(  # "Continue reading", "The post ... appeared first on Site."
        "teaser",
        r"^\W*(?:continue reading|read the full (?:story|article)|weiterlesen|mehr lesen"
        r"|leer más|lire la suite)\b|^\W*the post .{1,200} appeared first on\b",
        MAX_PROMPT_CHARS,
    ),
    # a teaser card with its share counter: "Photos of the week See the best pictures. Shares"
    _rule("teaser", r"\S\s(?:\d[\d,.]*\s)?Shares$", MAX_PROMPT_CHARS, needs=["shares"], flags=0),
    # copyright and source lines, a wire desk's code ("aja/PAP", "dpa/lno")
    _rule(
        "credit",
        r"^\W*(?:©|\(c\)\s*\d{4}|copyright\b(?!\s+(?-i:[a-z])))"
        rf"|^\W*(?:[a-z]{{2,4}}\s?/\s?)?(?:{AGENCY_WORDS})(?:\s?/\s?[a-z]{{2,4}})?\W*$",
    ),
    # a short source credit ("Quelle: Landesregierung"); a longer one describes data, and stays
    # (an author's credit, "Autor: Jane Roe, Institute", is the story's: it stays too)
    _rule("credit", r"^\W*(?:quelle|source|bildquelle)\s*:\s*\S", MAX_SOURCE_CHARS),
    # labels of page metadata: "Kategorie: News", "Last Modified: ...", "PDF | 38 KB"
    _rule(
        "meta",
        r"^\W*(?:kategorien?|categor(?:y|ies)|tags|schlagw(?:orte|örter)|news date"
        r"|release date|last modified|created)\s*:",
    ),
    _rule(
        "meta",
        r"\blast modified:|\bPDF\s*\|\s*\d+\s*[KM]B\b|\bvideo (?:verfügbar bis|available until)\b",
        needs=["last modified", "pdf", "video"],
    ),
    # a line of metadata parts: "January 13, 2020 at 08:45 AM | categories: Python | View Comments"
    _rule(
        "meta",
        r"^(?=.*(?:\b\d{1,2}:\d\d\b|\d{4}|categor|comments?|kommentar))"
        r"(?:[^|]{1,45}\|){1,5}[^|]{0,45}$",
        needs=["|"],
    ),
    # a date or time alone on its line: "23.10.2018", "January 13", "3:59 PM", "6 years ago"
    _rule(
        "dateline",
        r"^\W*(?:(?:updated|aktualisiert(?: am)?|last modified|letzte änderung|release date"
        r"|news date)\s*:?\s*)?"
        r"(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d\d-\d\d|\d{1,2}:\d\d(?:\s?[ap]\.?m\.?)?"
        r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}, \d{4}"
        r"|\d+ (?:years?|months?|weeks?|days?|hours?) ago)\W*(?:uhr)?\W*(?<!:)$",
    ),
    # comment counters and login prompts
    _rule(
        "comments",
        r"^\W*(?:\d+\s+)?(?:kommentare?|comments?|antworten)\W*$|^\W*(?:view comments|keine"
        r" kommentare|no comments|leave a (?:comment|reply)|kommentare insgesamt|kommentar"
        r" schreiben)\b",
    ),
    _rule(
        "comments",
        r"\b(?:nicht eingeloggt|eingeloggt sein um|must be logged in)\b",
        needs=["eingeloggt", "logged in"],
    ),
]

#: Words that, alone on a line, are a button or a label, never a paragraph of a story.
LONE_WORDS = frozenset(
    {
        "photo", "photos", "video", "videos", "email", "e-mail", "print", "share", "tweet",
        "whatsapp", "youtube", "facebook", "twitter", "close", "expand", "more", "menu",
        "loading", "ad", "ads", "copy link", "copied", "listen", "play", "pdf",
    }
)  # fmt: skip


def furniture_kind(line: str) -> str | None:
    """The kind of furniture a line is, or None for story text.

    >>> furniture_kind("Image copyright Getty Images Image caption The minister in Paris")
    'caption'
    >>> furniture_kind("Photos: Hillary Clinton's life Hide Caption 1 of 43 Photos: ...")
    'gallery'
    >>> furniture_kind("Advertisement"), furniture_kind("Follow @politico")
    ('advert', 'prompt')
    >>> furniture_kind("The minister resigned on Friday after a week of pressure.") is None
    True
    """
    stripped = line.strip()
    if not stripped:
        return None
    if len(stripped) < 20 and stripped.strip(" .:!-|*").lower() in LONE_WORDS:
        return "button"
    length, lowered = len(stripped), stripped.lower()
    for rule in RULES:
        if length > rule.longest or (rule.needs and not rule.needs.search(lowered)):
            continue
        if rule.pattern.search(stripped):
            return rule.kind
    return None


# --------------------------------------------------------------------------- trailing sections

#: Headings after which only links to other pages follow (when near the end of the text).
TRAILING_HEADINGS = (
    r"related (?:articles|stories|posts|content)|more (?:stories|from|on)|you may also like"
    r"|recommended(?: for you)?|share this(?: article| story)?|teilen mit|share"
    r"|das könnte (?:sie|dich) auch interessieren|auch interessant|weitere (?:themen|beiträge"
    r"|artikel|nachrichten|informationen)|empfohlene beiträge|mehr zum thema|mehr aus"
    r"|contenido relacionado|notas relacionadas|te puede interesar|le puede interesar"
    r"|à lire aussi|sur le même sujet|czytaj (?:też|także)|zobacz (?:też|także)"
    r"|schon gelesen|auch auf \S+|top-themen\b.*|weitere beiträge\b.*|weitere (?:aktuelle )?"
    r"themen\b.*|entdecke weitere\b.*|das thema könnte dich auch interessieren|más sobre\b.*"
    r"|vorschau auf den nächsten artikel|beiträge aus dem forum|über diese reihe"
)
_TRAILING_HEADING = re.compile(rf"^\W*(?:{TRAILING_HEADINGS})\W*$", re.I)
#: A trailing heading cuts the text only in its last share.
TRAILING_CUT_SHARE = 0.3


def cut_trailing_section(lines: list[str]) -> list[str]:
    """Cut at the first related-links heading that sits in the last part of the text."""
    total = sum(len(line) for line in lines) or 1
    seen = 0
    for index, line in enumerate(lines):
        if seen >= (1 - TRAILING_CUT_SHARE) * total and _TRAILING_HEADING.match(line):
            return lines[:index]
        seen += len(line)
    return lines


# --------------------------------------------------------------------------- cleaning


@dataclass
class Cleaned:
    """A text without its furniture, and the lines that went (kind, line) for measurement."""

    text: str
    removed: list[tuple[str, str]] = field(default_factory=list)


#: Calls to subscribe, download the app or support the site, dropped in the last lines.
CLOSING_PROMPT = re.compile(
    r"newsletter|subscribe|subscription|sign up|abonn|anmelden|download (?:the|our)\b.{0,30}app"
    r"|follow (?:us|the)|support (?:our|us)|unterstütze|enjoyed (?:reading|this)|suscr[ií]b",
    re.I,
)
#: At most this many closing prompts are dropped from the end.
CLOSING_LINES = 3

#: Labels of a link or a line that sends the reader on to the rest of the story.
CALL_TO_READ = (
    r"read (?:more|the full|full)|continue reading|keep reading|weiterlesen|mehr lesen"
    r"|leer más|lire la suite"
)
#: What may follow such a label in the same sentence: "of this story", "at Slashdot", the
#: story's title in quotes (Continue reading “Ferry back” →).
_CALL_TO_READ_REST = (
    r"(?:\s+(?:of this (?:story|article|post)|(?:at|on) [^.!?]{1,40}"
    r"|[\"“'‘][^\"”'’]{1,150}[\"”'’]))*"
)
#: A call to read on as the last sentence of a paragraph: feed excerpts and CMS teasers end
#: "... on Monday. Read more...", "... Continue reading →", and WordPress puts "The post
#: <title> appeared first on <site>." under every feed item. It must follow a sentence's end
#: (or open the line), so a story's own last words ("... told us to keep reading.") stay.
TRAILING_CALL_TO_READ = re.compile(
    r"(?:^|(?<=[.!?…\]»”)→›>])|(?<=[.!?][\"']))\s*"
    rf"(?:(?:{CALL_TO_READ}){_CALL_TO_READ_REST}\W*"
    r"|the post .{1,200}? appeared first on .{1,80})$",
    re.I,
)
#: A paragraph may end in two of them ("... Continue reading → The post ... first on Y.").
MAX_CALLS_TO_READ = 2


def strip_call_to_read(paragraph: str) -> tuple[str, list[str]]:
    """``paragraph`` without the calls to read on that end it, and the calls removed.

    >>> strip_call_to_read("The ferry runs again. Read more...")
    ('The ferry runs again.', ['Read more...'])
    >>> strip_call_to_read("She told them to keep reading.")
    ('She told them to keep reading.', [])
    """
    removed: list[str] = []
    for _ in range(MAX_CALLS_TO_READ):
        found = TRAILING_CALL_TO_READ.search(paragraph)
        if not found:
            break
        removed.insert(0, found.group().strip())
        paragraph = paragraph[: found.start()].rstrip()
    return paragraph, removed


#: A line of this many words is a paragraph of the story's text (a headline, a byline or a
#: date line is shorter).
MIN_PROSE_WORDS = 12


def edge_date_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines that only date the story ("Published: 3 April 2024") in its head,
    before its first paragraph of text, or in its foot, after the last. Between them such a
    line heads an entry of a timeline or a live blog, and is the story's."""
    prose = [
        index
        for index, line in enumerate(lines)
        if len(line.split()) >= MIN_PROSE_WORDS and not is_date_line(line)
    ]
    first, last = (prose[0], prose[-1]) if prose else (len(lines), -1)
    return [
        index
        for index, line in enumerate(lines)
        if (index < first or index > last) and is_date_line(line)
    ]


def clean_lines(lines: list[str], *, page_end: bool = False) -> Cleaned:
    """Non-empty ``lines`` without furniture, a trailing related-links section, the lines
    that only date the story in its head or foot and the call to read on that ends the last
    line ("... Read more...").

    ``page_end`` for text extracted from a whole page, whose last lines are often the page's
    own ("... sign up for our newsletter"): closing prompts go too. In a story's copy the
    last paragraph is the story's ("Subscriptions close March 18."), so they stay.
    """
    lines = [line.strip() for line in lines if line.strip()]
    kept_lines = cut_trailing_section(lines)
    removed = [("related", line) for line in lines[len(kept_lines) :]]
    kept = []
    for line in kept_lines:
        kind = furniture_kind(line)
        if kind:
            removed.append((kind, line))
        else:
            kept.append(line)
    dated = edge_date_lines(kept)
    removed += [("dateline", kept[index]) for index in dated]
    kept = [line for index, line in enumerate(kept) if index not in dated]
    while kept:  # the last line's closing call to read; a line that was only one goes
        last, calls = strip_call_to_read(kept[-1])
        removed += [("teaser", call) for call in calls]
        if last:
            kept[-1] = last
            break
        kept.pop()
    for _ in range(CLOSING_LINES if page_end else 0):
        if kept and len(kept[-1]) <= MAX_FURNITURE_CHARS and CLOSING_PROMPT.search(kept[-1]):
            removed.append(("prompt", kept.pop()))
    return Cleaned("\n\n".join(kept), removed)
