"""The ``newsindex`` command: a thin shell over the library.

Each command parses its options, calls one library function and prints what it returned.
Errors a user can cause arrive as ``NewsIndexError`` and leave as one ``Error: ...`` line
with exit status 1 (click's own usage errors exit 2).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from search.cli.render import plural
from search.errors import NewsIndexError
from search.indexing.store import ENV_INDEX
from search.sources import FORMATS, parse_field_map

#: Skipped files listed one per line at the end of a run (the rest are counted).
SHOWN_SKIPS = 20
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _news(index_path: Path | None):
    """The index the command works on (the library's one door)."""
    from search import NewsIndex

    return NewsIndex.open(index_path)


def index_option(fn: Callable) -> Callable:
    return click.option(
        "--index",
        "index_path",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Index directory. Default: ${ENV_INDEX}, else the project's index/ folder.",
    )(fn)


def source_options(fn: Callable | None = None, *, format_flag: str = "--format") -> Callable:
    """The options every command that reads sources shares (``--format``, ``--map``).

    ``extract`` names the reader option ``--input-format``: its ``--format`` is the output's.
    """

    def decorate(fn: Callable) -> Callable:
        fn = click.option(
            format_flag,
            "format_",
            type=click.Choice(FORMATS),
            default=None,
            help="Read every source as this format instead of sniffing it.",
        )(fn)
        return click.option(
            "--map",
            "field_map",
            multiple=True,
            metavar="FIELD=COLUMN",
            help="Take a field from another column of an export, e.g. body=content_original.",
        )(fn)

    return decorate(fn) if fn else decorate


def indexing_options(fn: Callable) -> Callable:
    """SOURCES, the reader options, --index, --silent and --json of rebuild and add."""
    fn = click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")(fn)
    fn = click.option("-s", "--silent", is_flag=True, help="Don't show a progress bar.")(fn)
    fn = index_option(fn)
    fn = source_options(fn)
    return click.argument("sources", nargs=-1, required=True)(fn)


def user_errors(fn: Callable) -> Callable:
    """Turn a ``NewsIndexError`` into one ``Error: ...`` line and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except NewsIndexError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing was changed.", err=True)
            sys.exit(130)

    return wrapper


def _progress(silent: bool, label: str):
    """A tqdm bar on a terminal; nothing when piped, from cron, or with --silent."""
    if silent or not sys.stderr.isatty():
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(desc=label, unit=" articles", file=sys.stderr, dynamic_ncols=True)
    return bar.update, bar.close


def _run_with_progress(verb: str, quiet: bool, as_json: bool, run: Callable) -> None:
    """Run an indexing call with a progress bar (unless quiet), then print its summary."""
    update, close = _progress(quiet, verb.lower())
    try:
        report = run(update)
    finally:
        close()
    _print_summary(report, verb, as_json)


def _print_summary(report, verb: str, as_json: bool) -> None:
    """The end-of-run summary: what changed, how fast, and every skipped file with its reason."""
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    if verb == "Deleted":
        line = f"Deleted {plural(report.deleted, 'article')}"
    else:
        line = f"{verb} {plural(report.indexed, 'article')}"
        if report.updated:
            line += f", updated {report.updated:,}"
        line += f" ({report.docs_per_second:,.0f} docs/s)"
    click.echo(f"{line} in {report.seconds:.1f} s")
    click.echo(
        f"  duplicates: {report.duplicates:,}   skipped: {len(report.skipped):,}   "
        f"index now: {plural(report.documents, 'article')} "
        f"in {plural(report.stories, 'story')}"
    )
    for reason, count in sorted(report.skipped_by_reason().items(), key=lambda kv: -kv[1]):
        click.echo(f"  skipped {count:,} × {reason}")
    for skip in report.skipped[:SHOWN_SKIPS]:
        click.echo(f"    {skip.source_file}: {skip.reason}", err=True)
    if len(report.skipped) > SHOWN_SKIPS:
        click.echo(f"    … and {len(report.skipped) - SHOWN_SKIPS:,} more", err=True)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="newsindex")
def cli() -> None:
    """newsindex: a searchable full-text news archive.

    Build an index from wire copy, pages, exports and feeds, then search it.

    \b
    Example:
        newsindex rebuild ../shared/corpora/bbc
        newsindex search "minerals AND japan" --facet agency
    """


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@source_options(format_flag="--input-format")
@click.option(
    "--format",
    "output",
    type=click.Choice(["jsonl", "text"]),
    default="jsonl",
    help="One JSON object per line (default), or a readable listing.",
)
@user_errors
def extract(
    sources: tuple[str, ...], format_: str | None, field_map: tuple[str, ...], output: str
) -> None:
    """Print the articles extracted from SOURCES without touching the index.

    SOURCES are files, directories, globs, .gz files or - for standard input.

    \b
    Example:
        newsindex extract ../shared/corpora/seed/srnnews-japan-britain.txt
    """
    from search.indexing.indexer import IndexReport, read_articles

    report = IndexReport()
    for article in read_articles(
        list(sources), report, format=format_, field_map=parse_field_map(field_map)
    ):
        if output == "jsonl":
            click.echo(json.dumps(article.to_dict(), ensure_ascii=False))
        else:
            click.echo(
                f"{article.title}\n  {article.dateline or '-'} · {article.agency or '-'} · "
                f"{article.publisher or '-'} · {article.published or 'undated'} · "
                f"{article.word_count} words\n"
            )
    for skip in report.skipped:
        click.echo(f"skipped {skip.source_file}: {skip.reason}", err=True)


@cli.command()
@indexing_options
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes for extraction and indexing. Default: one per core, at most 4.",
)
@user_errors
def rebuild(
    sources: tuple[str, ...],
    format_: str | None,
    field_map: tuple[str, ...],
    index_path: Path | None,
    silent: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """Build a new index from SOURCES and swap it in when complete.

    The new index is written beside the live one; a failed or interrupted rebuild leaves
    the old index serving.

    \b
    Example:
        newsindex rebuild ../shared/corpora/reuters21578/reuters21578.jsonl.gz
        newsindex rebuild 'feeds/*.xml' exports/ --index /srv/newsindex
    """
    fields = parse_field_map(field_map)
    _run_with_progress(
        "Indexed",
        silent or as_json,
        as_json,
        lambda progress: _news(index_path).rebuild(
            list(sources), format=format_, field_map=fields, progress=progress, workers=jobs
        ),
    )


@cli.command()
@indexing_options
@user_errors
def add(
    sources: tuple[str, ...],
    format_: str | None,
    field_map: tuple[str, ...],
    index_path: Path | None,
    silent: bool,
    as_json: bool,
) -> None:
    """Add or update (by id) the articles of SOURCES in the live index.

    New syndicated copies join their existing stories.

    \b
    Example:
        newsindex add today/*.html
    """
    fields = parse_field_map(field_map)
    _run_with_progress(
        "Added",
        silent or as_json,
        as_json,
        lambda progress: _news(index_path).add(
            list(sources), format=format_, field_map=fields, progress=progress
        ),
    )


@cli.command()
@click.argument("ids", nargs=-1, required=True)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@user_errors
def delete(ids: tuple[str, ...], index_path: Path | None, as_json: bool) -> None:
    """Delete articles by ID from the live index.

    \b
    Example:
        newsindex delete reuters-17 reuters-18
    """
    report = _news(index_path).delete(list(ids))
    _print_summary(report, "Deleted", as_json)
    if report.deleted == 0:
        raise click.ClickException("none of those ids is in the index")


@cli.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@user_errors
def stats(index_path: Path | None, as_json: bool) -> None:
    """Show what the index holds: documents, fields, size on disk, last update.

    \b
    Example:
        newsindex stats --json
    """
    with _news(index_path) as news:
        info = news.stats().to_dict()
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"index:      {info['path']}")
    click.echo(f"documents:  {info['documents']:,} in {info['stories']:,} stories")
    click.echo(f"size:       {info['size_bytes'] / 1e6:,.1f} MB")
    click.echo(f"built:      {info['built_at']}   updated: {info['updated_at']}")
    click.echo(f"published:  {info['first_published'] or '-'} to {info['last_published'] or '-'}")


# ---------------------------------------------------------------------------- search commands


def _parse_filters(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    """``--filter agency=AP --filter agency=Reuters`` → ``{"agency": ["AP", "Reuters"]}``."""
    from search.errors import BadParameter

    filters: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise BadParameter(f"--filter wants FIELD=VALUE (e.g. agency=AP), not {pair!r}")
        filters.setdefault(name.strip(), []).append(value.strip())
    return filters


def filter_option(fn: Callable) -> Callable:
    return click.option(
        "--filter",
        "filters",
        multiple=True,
        metavar="FIELD=VALUE",
        help="Keep only these values (repeat: OR within a field, AND across fields).",
    )(fn)


@cli.command()
@click.argument("query", required=False, default="")
@filter_option
@click.option(
    "--facet",
    "facets",
    multiple=True,
    metavar="FIELD",
    help="Count this facet (repeat; default: all of them).",
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    default="relevance",
    show_default=True,
)
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--per-page", type=int, default=10, show_default=True)
@click.option("--all-copies", is_flag=True, help="List every copy of a syndicated story.")
@click.option("--count-copies", is_flag=True, help="Facets count copies, not stories.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (the API's).")
@index_option
@user_errors
def search(
    query: str,
    filters: tuple[str, ...],
    facets: tuple[str, ...],
    sort: str,
    page: int,
    per_page: int,
    all_copies: bool,
    count_copies: bool,
    as_json: bool,
    index_path: Path | None,
) -> None:
    """Search the index. QUERY: words, "phrases", AND/OR/NOT, -word, field:value, wild*, fuzzy~,
    published:[2016-01-01 TO 2016-12-31]; empty lists everything, newest first.

    \b
    Examples:
        newsindex search "oil prices" --facet dateline
        newsindex search 'dateline:tokyo yen' --sort newest --filter topics=money-fx
        newsindex search starmer --json
    """
    from search.cli.render import render_search

    with _news(index_path) as news:
        result = news.search(
            query,
            filters=_parse_filters(filters),
            facets=list(facets) or None,
            sort=sort,
            page=page,
            per_page=per_page,
            collapse=not all_copies,
            facet_mode="copies" if count_copies else "stories",
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_search(result), nl=False)


@cli.command()
@click.argument("article_id")
@click.option("--limit", type=int, default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@index_option
@user_errors
def related(article_id: str, limit: int, as_json: bool, index_path: Path | None) -> None:
    """Stories most like one article (not counting its own copies).

    \b
    Example:
        newsindex related reuters-17 --limit 10
    """
    from search.cli.render import render_related

    with _news(index_path) as news:
        hits = news.related(article_id, limit=limit)
    if as_json:
        payload = {"id": article_id, "related": [hit.to_dict() for hit in hits]}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(render_related(article_id, hits), nl=False)


@cli.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@index_option
@user_errors
def show(article_id: str, as_json: bool, index_path: Path | None) -> None:
    """One article in full, with the other copies of its story and how they differ.

    \b
    Example:
        newsindex show reuters-17 --json
    """
    from search.cli.render import render_article

    with _news(index_path) as news:
        view = news.show(article_id)
    if as_json:
        click.echo(json.dumps(view.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_article(view.article, view.copies), nl=False)


@cli.command()
@click.argument("query", required=False, default="")
@filter_option
@click.option(
    "--compare",
    multiple=True,
    metavar="QUERY",
    help="Another query to chart beside QUERY (repeat, up to 4).",
)
@click.option(
    "--interval",
    type=click.Choice(["auto", "month", "day"]),
    default="auto",
    show_default=True,
    help="Bucket size; auto counts per day when the matches span under 90 days.",
)
@click.option("--count-copies", is_flag=True, help="Count every copy, not stories.")
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print CSV: a row per bucket, a column per query."
)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (the API's).")
@index_option
@user_errors
def timeline(
    query: str,
    filters: tuple[str, ...],
    compare: tuple[str, ...],
    interval: str,
    count_copies: bool,
    as_csv: bool,
    as_json: bool,
    index_path: Path | None,
) -> None:
    """Coverage over time: how many stories match QUERY per month (or day).

    \b
    Examples:
        newsindex timeline "interest rates" --compare inflation --compare "oil prices"
        newsindex timeline drought --filter agency=AP --csv > drought.csv
    """
    from search.cli.render import render_timeline

    with _news(index_path) as news:
        result = news.timeline(
            query,
            filters=_parse_filters(filters),
            compare=list(compare),
            interval=interval,
            collapse=not count_copies,
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif as_csv:
        click.echo(result.to_csv(), nl=False)
    else:
        click.echo(render_timeline(result), nl=False)


@cli.command()
@click.argument("query", required=False, default="")
@filter_option
@click.option(
    "--sort",
    type=click.Choice(["relevance", "newest", "oldest"]),
    default="relevance",
    show_default=True,
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per line, or CSV with a header row.",
)
@index_option
@user_errors
def export(
    query: str, filters: tuple[str, ...], sort: str, output: str, index_path: Path | None
) -> None:
    """Write every article matching QUERY to standard output, streamed.

    \b
    Example:
        newsindex export "offshore wind" --filter year=2025 --format csv > wind.csv
    """
    from search.searching.results import export_csv_lines, export_jsonl_lines

    lines = export_csv_lines if output == "csv" else export_jsonl_lines
    with _news(index_path) as news:
        for line in lines(news.export(query, filters=_parse_filters(filters), sort=sort)):
            sys.stdout.write(line)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@index_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes. Default: one per core.",
)
@user_errors
def serve(host: str, port: int, index_path: Path | None, workers: int | None) -> None:
    """Serve the search page, the JSON API and the widget over HTTP (gunicorn).

    Settings come from NEWSINDEX_* variables: NEWSINDEX_SITE_TITLE, NEWSINDEX_CORS_ORIGINS,
    NEWSINDEX_WRITE_TOKEN and the library's (README, "Settings").

    \b
    Example:
        newsindex serve --port 8080 --index /srv/newsindex
        NEWSINDEX_CORS_ORIGINS=https://intranet.example newsindex serve --host 0.0.0.0
    """
    from web import serve as server

    click.echo(server.describe(host, port, index_path, workers), err=True)
    server.run(host=host, port=port, index=index_path, workers=workers)
