"""Terminal rendering of search results, articles and copies (the CLI's view of the dicts).

Snippets arrive as HTML (escaped text with ``<mark>``); here the marks become bold and the
entities are unescaped, so a terminal shows what a browser would.
"""

from __future__ import annotations

import html
import re
import textwrap
import time

import click

from search.article import Article
from search.indexing.indexer import IndexReport
from search.indexing.latent import MIN_ARTICLES
from search.searching.results import Copy, FacetValue, Hit, SearchResult, Timeline
from search.wording import plural

WIDTH = 100
INDENT = "    "
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
#: A blank line, or a line break before an indent (wire copy's paragraphs).
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=[ \t]{2,})")


#: Stand-ins for the start and end of a match while wrapping (one column each, like a space).
_OPEN, _CLOSE = "\ue000", "\ue001"
_BOLD_ON, _BOLD_OFF = click.style("x", bold=True).split("x")


def snippet_text(snippet: str) -> str:
    """The snippet as plain text with matches between ``_OPEN``/``_CLOSE`` markers."""
    pieces = []
    cursor = 0
    for match in _MARK.finditer(snippet):
        pieces.append(html.unescape(snippet[cursor : match.start()]))
        pieces.append(f"{_OPEN}{html.unescape(match.group(1))}{_CLOSE}")
        cursor = match.end()
    pieces.append(html.unescape(snippet[cursor:]))
    return "".join(pieces)


def _wrap(text: str) -> str:
    """Indented lines; markers become bold after wrapping, so widths stay right."""
    lines = textwrap.wrap(text, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT)
    return "\n".join(lines).replace(_OPEN, _BOLD_ON).replace(_CLOSE, _BOLD_OFF)


def _where(hit: Hit | Article) -> str:
    parts = [hit.published[:10] if hit.published else "undated"]
    place = " / ".join(p for p in (hit.dateline, hit.agency) if p)
    if place:
        parts.append(place)
    if hit.publisher and hit.publisher != hit.agency:
        parts.append(hit.publisher)
    return " · ".join(parts)


def render_hit(number: int, hit: Hit) -> str:
    lines = [click.style(f"{number:>3}. {hit.title or '(no title)'}", bold=True)]
    score = f"   score {hit.score:.2f}" if hit.score is not None else ""
    lines.append(f"{INDENT}{_where(hit)}{score}   [{hit.id}]")
    if hit.snippet:
        lines.append(_wrap(snippet_text(hit.snippet)))
    if hit.also_ran.count:
        names = ", ".join(dict.fromkeys(o.publisher or o.id for o in hit.also_ran.outlets))
        outlets = "outlet" if hit.also_ran.count == 1 else "outlets"
        lines.append(f"{INDENT}also ran in {hit.also_ran.count} {outlets}: {names}")
    if hit.url:
        lines.append(f"{INDENT}{hit.url}")
    return "\n".join(lines)


def render_facet(name: str, values: list[FacetValue]) -> str:
    """``  agency: AP (12, selected), Reuters (8)``: a selected value says so in words."""
    shown = ", ".join(
        f"{v.label} ({v.count:,}{', selected' if v.selected else ''})" for v in values
    )
    return f"  {name}: {shown}"


def render_search(result: SearchResult) -> str:
    """The whole listing: summary, notice, suggestion, hits, facet counts."""
    first = (result.page - 1) * result.per_page + 1
    last = first + len(result.hits) - 1
    head = plural(result.total, "story" if result.collapse else "article")
    if result.collapse and result.total_copies != result.total:
        head += f" ({plural(result.total_copies, 'article')})"
    if result.hits:
        head += f", showing {first:,}-{last:,} (page {result.page:,} of {result.pages:,})"
    lines = [f"{head}, sorted by {result.sort}, {result.took_ms:.0f} ms"]
    if result.notice:
        lines.append(f"Note: {result.notice}")
    if result.suggestion:
        lines.append(f"Did you mean: {click.style(result.suggestion, bold=True)}?")
    if not result.hits and result.total:
        last_page = "page 1" if result.pages == 1 else f"pages 1 to {result.pages:,}"
        lines.append(f"Page {result.page:,} is past the end: the results fill {last_page}.")
    if result.near_matches:
        unit = "story" if result.collapse else "article"
        held = result.total - result.near_matches
        near = plural(result.near_matches, unit)
        one = result.near_matches == 1
        lines.append(
            f"{plural(held, unit)} {'matches' if held == 1 else 'match'} the search; {near} "
            f"holding fewer of its words {'follows' if one else 'follow'}."
            if held
            else f"Nothing matches the search in full; {near} {'holds' if one else 'hold'} "
            "some of its words."
        )
    lines.append("")
    for offset, hit in enumerate(result.hits):
        if hit.near and (offset == 0 or not result.hits[offset - 1].near):
            lines.append(
                f"{'This holds' if result.near_matches == 1 else 'These hold'} fewer of the words:"
            )
            lines.append("")
        lines.append(render_hit(first + offset, hit))
        lines.append("")
    counted = {name: values for name, values in result.facets.items() if values}
    if counted:
        lines.append(f"Facets (counting {result.facet_mode}):")
        lines.extend(render_facet(name, values) for name, values in counted.items())
    if result.facets_timed_out:
        lines.append(f"  not counted in time: {', '.join(result.facets_timed_out)}")
    return "\n".join(lines).rstrip() + "\n"


def render_related(article_id: str, hits: list[Hit]) -> str:
    if not hits:
        return f"No stories like {article_id}.\n"
    lines = [f"Stories like {article_id}:", ""]
    for number, hit in enumerate(hits, 1):
        lines.append(render_hit(number, hit))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_copy(copy: Copy) -> str:
    title = "same headline" if copy.same_title else f"headline: {copy.title}"
    diff = f"{copy.word_count_diff:+,} words" if copy.word_count_diff else "same length"
    when = copy.published[:10] if copy.published else "undated"
    lines = [f"  - {copy.publisher or '?'} · {when} · {diff} · {title}   [{copy.id}]"]
    if copy.url:
        lines.append(f"{INDENT}{copy.url}")
    return "\n".join(lines)


def byline_text(article: Article) -> str:
    """``By Ann Lee, Bo Chan; with Tom Ellison``: who wrote it and who contributed, as the
    article page says it (a contributor is credited at the foot of wire copy, not in the
    byline, so an article may have contributors and no authors: ``With Tom Ellison``)."""
    parts = []
    if article.authors:
        parts.append("By " + ", ".join(article.authors))
    if article.contributors:
        parts.append(("with " if parts else "With ") + ", ".join(article.contributors))
    return "; ".join(parts)


def render_article(article: Article, copies: list[Copy]) -> str:
    """An article in full, then the other copies of its story and how they differ."""
    lines = [click.style(article.title or "(no title)", bold=True), _where(article)]
    byline = byline_text(article)
    if byline:
        lines.append(byline)
    if article.url:
        lines.append(article.url)
    if article.topics:
        lines.append("Topics: " + ", ".join(article.topics))
    lines.append(f"{article.word_count:,} words   id {article.id}   story {article.story or '-'}")
    lines.append("")
    for paragraph in _PARAGRAPH.split(article.body.strip()):
        lines.append(textwrap.fill(" ".join(paragraph.split()), WIDTH))
        lines.append("")
    if copies:
        lines.append(f"Also ran ({len(copies)} other {'copy' if len(copies) == 1 else 'copies'}):")
        lines.extend(render_copy(c) for c in copies)
    return "\n".join(lines).rstrip() + "\n"


#: Width of the longest bar in a terminal timeline.
BAR_WIDTH = 40


def render_timeline(timeline: Timeline) -> str:
    """A bar per bucket for one query; a table of counts when several are compared."""
    series = timeline.series
    lines = []
    for s in series:
        undated = f", {s.undated:,} undated" if s.undated else ""
        total = plural(s.total, "story" if timeline.collapse else "article")
        lines.append(f"{s.query or '(everything)'}: {total}{undated}")
    if not series or not series[0].points:
        return "\n".join([*lines, "No dated matches."]) + "\n"
    lines.append(f"per {timeline.interval}:")
    if len(series) == 1:
        top = max(p.count for p in series[0].points) or 1
        for p in series[0].points:
            bar = "█" * round(p.count / top * BAR_WIDTH)
            lines.append(f"  {p.date:<10} {p.count:>7,} {bar}")
    else:
        widths = [max(7, len(s.query)) for s in series]
        lines.append(
            "  "
            + " " * 10
            + " ".join(f"{s.query:>{w}}" for s, w in zip(series, widths, strict=True))
        )
        for row, p in enumerate(series[0].points):
            counts = " ".join(
                f"{s.points[row].count:>{w},}" for s, w in zip(series, widths, strict=True)
            )
            lines.append(f"  {p.date:<10} {counts}")
    return "\n".join(lines) + "\n"


# -- indexing runs -------------------------------------------------------------------------


class ProgressLine:
    """``Indexing: 12,345 articles (1,806 a second)`` on one terminal line, redrawn at most
    a few times a second; ``stage()`` says what a run does after its last article."""

    REDRAW_SECONDS = 0.2

    def __init__(self, label: str, stream) -> None:
        self.label = label
        self.stream = stream
        self.count = 0
        self.started = time.monotonic()
        self.drawn = 0.0

    def __call__(self, count: int) -> None:
        self.count += count
        now = time.monotonic()
        if now - self.drawn >= self.REDRAW_SECONDS:
            self.drawn = now
            rate = self.count / (now - self.started) if now > self.started else 0.0
            self._draw(f"{self.label}: {plural(self.count, 'article')} ({rate:,.0f} a second)")

    def stage(self, text: str) -> None:
        self._draw(f"{self.label}: {plural(self.count, 'article')}, {text}…")

    def close(self) -> None:
        if self.drawn or self.count:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _draw(self, line: str) -> None:
        self.drawn = self.drawn or time.monotonic()
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()


def reading_lines(report: IndexReport) -> list[str]:
    """One line per ``--map`` whose column no record had (a typo that would otherwise leave
    every body or title empty, or taken from another column, without a word) and per file
    read as headlines only."""
    return [
        f'--map {field}={column}: no record had a column "{column}"'
        for field, column in report.unmatched_map.items()
    ] + [f"{w.source_file}: {w.warning}" for w in report.warnings]


def render_report(report: IndexReport, verb: str, shown_skips: int) -> tuple[str, str]:
    """The end of an indexing run: what changed and what the index holds (for standard
    output); the ``--map`` columns no record had, the files read as headlines only and the
    skipped files with their reasons (for standard error)."""
    if verb == "Deleted":
        lines = [f"Deleted {plural(report.deleted, 'article')}"]
        if report.not_found:
            lines.append(f"  not in the index: {', '.join(report.not_found)}")
    else:
        changed = []
        if report.indexed or not report.updated:
            changed.append(f"{verb.lower()} {plural(report.indexed, 'article')}")
        if report.updated:
            changed.append(f"updated {plural(report.updated, 'article')}")
        line = " and ".join(changed).replace(" 0 articles", " no articles")
        line = f"{line[0].upper()}{line[1:]} in {report.seconds:,.1f} s"
        if report.indexed + report.updated >= 100:
            line += f" ({report.docs_per_second:,.0f} articles a second)"
        lines = [line]
        if report.duplicates:
            ids = "id" if report.duplicates == 1 else "ids"
            lines.append(f"  {report.duplicates:,} repeated {ids}: the fuller copy kept")
        if report.skipped:
            lines.append(
                f"  skipped {plural(len(report.skipped), 'file or record', 'files or records')}:"
            )
            for reason, count in sorted(report.skipped_by_reason().items(), key=lambda kv: -kv[1]):
                lines.append(f"    {count:,} × {reason}")
    lines.append(
        f"Index now: {plural(report.documents, 'article')} in {plural(report.stories, 'story')}"
    )
    details = reading_lines(report)
    details += [f"{skip.source_file}: {skip.reason}" for skip in report.skipped[:shown_skips]]
    if len(report.skipped) > shown_skips:
        details.append(f"… and {len(report.skipped) - shown_skips:,} more")
    return "\n".join(lines) + "\n", "".join(f"{d}\n" for d in details)


def render_stats(info: dict) -> str:
    """``newsindex stats`` for a person: counts, dates, facet sizes, where and how big."""
    values = " · ".join(f"{name} {count:,}" for name, count in info["facet_values"].items())
    first = (info["first_published"] or "-")[:10]
    last = (info["last_published"] or "-")[:10]
    words = info.get("subject_words") or 0
    if words:
        ranking = f"by words and subject ({words:,} words in its latent space)"
    elif info["documents"] >= MIN_ARTICLES:  # grown by ``add`` since a rebuild too small
        ranking = "by words alone (`newsindex rebuild` learns its subjects)"
    else:
        ranking = "by words alone (too few articles to learn subjects from)"
    return (
        f"index:      {info['path']}\n"
        f"articles:   {info['documents']:,} in {plural(info['stories'], 'story')}\n"
        f"published:  {first} to {last}\n"
        f"values:     {values}\n"
        f"size:       {info['size_bytes'] / 1e6:,.1f} MB in {plural(info['segments'], 'segment')}\n"
        f"ranked:     {ranking}\n"
        f"built:      {info['built_at']}   updated: {info['updated_at']}\n"
    )
