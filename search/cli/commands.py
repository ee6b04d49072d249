"""The ``newsindex`` command: a thin shell over the library.

Each command parses its options, calls one library function and prints what it returned.
Errors a user can cause arrive as ``NewsIndexError`` and leave as one ``Error: ...`` line
with exit status 1, naming an option as it is typed (``--per-page``, not ``per_page``); a
usage mistake click catches (an unknown option, ``--page abc``, a missing argument) is one
``Error: ...`` line too, with click's exit status 2.
"""

from __future__ import annotations

import functools
import json
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from search.errors import BadParameter, NewsIndexError
from search.indexing.store import ENV_INDEX
from search.settings import Settings
from search.sources import FORMATS, parse_field_map

#: Skipped files listed one per line at the end of a run (the rest are counted).
SHOWN_SKIPS = 20
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: The limits ``--help`` states (a deployment may change them with NEWSINDEX_* settings).
DEFAULTS = Settings()


class NewsIndexGroup(click.Group):
    """Click's group, with its usage errors as one ``Error: ...`` line (exit status 2)
    instead of a usage block, a hint and the error."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(
                args, prog_name or "newsindex", complete_var, standalone_mode=False, **extra
            )
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "newsindex"
            message = exc.format_message()
            query = _query_taken_for_an_option(exc, sys.argv[1:] if args is None else args)
            if query:
                message += (
                    f" A query that starts with '-' goes last, after '--': {where} -- {query}"
                )
            click.echo(f"Error: {message} (see {where} --help)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _query_taken_for_an_option(exc: click.UsageError, args: Sequence[str]) -> str | None:
    """The word Click read as an unknown option (``newsindex search -oil``: ``-o``) when the
    command takes a query, which is what the user meant it as; else None."""
    if not isinstance(exc, click.NoSuchOption) or exc.ctx is None:
        return None
    if not any(param.name == "query" for param in exc.ctx.command.params):
        return None
    typed = [a for a in args if a.startswith(exc.option_name) and not a.startswith("--")]
    return shlex.quote(typed[0]) if typed else None


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


def json_option(what: str = "Print as JSON (the API's).") -> Callable[[Callable], Callable]:
    """``--json``: print the command's result object as the HTTP API returns it."""
    return click.option("--json", "as_json", is_flag=True, help=what)


def source_options(fn: Callable) -> Callable:
    """The options every command that reads sources shares: ``--format`` (the input's, in
    ``extract``, ``rebuild`` and ``add`` alike) and ``--map``."""
    fn = click.option(
        "--format",
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
        help="Take a field from another column of an export, e.g. body=content_original. "
        "A mapping whose column no record has is named on standard error, as skipped files "
        "are; the run goes on and, as with them, exits 0.",
    )(fn)


def indexing_options(fn: Callable) -> Callable:
    """SOURCES, the reader options, --index, --silent and --json of rebuild and add."""
    fn = json_option("Print the summary as JSON.")(fn)
    fn = click.option("-s", "--silent", is_flag=True, help="Don't show a progress bar.")(fn)
    fn = index_option(fn)
    fn = source_options(fn)
    return click.argument("sources", nargs=-1, required=True)(fn)


def as_typed(message: str, command: click.Command) -> str:
    """The library names parameters as Python does (``per_page``); say them as the user
    typed them (``--per-page``)."""
    for param in command.params:
        if isinstance(param, click.Option) and param.name and param.opts[0].startswith("--"):
            message = re.sub(rf"(?<![\w-]){param.name}\b", param.opts[0], message)
    return message


def user_errors(fn: Callable) -> Callable:
    """Turn a ``NewsIndexError`` into one ``Error: ...`` line and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BadParameter as exc:
            command = click.get_current_context().command
            raise click.ClickException(as_typed(str(exc), command)) from None
        except NewsIndexError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted: nothing was changed.", err=True)
            sys.exit(130)

    return wrapper


def _run_with_progress(verb: str, quiet: bool, as_json: bool, run: Callable) -> None:
    """Run an indexing call with a progress line on a terminal (nothing when piped, from
    cron, or with --silent), then print its summary."""
    from search.cli.render import ProgressLine

    progress = None
    if not quiet and sys.stderr.isatty():
        progress = ProgressLine("Indexing" if verb == "Indexed" else "Adding", sys.stderr)
    try:
        report = run(progress)
    finally:
        if progress is not None:
            progress.close()
    _print_summary(report, verb, as_json)


def _print_summary(report, verb: str, as_json: bool) -> None:
    """The end-of-run summary: what changed, and every skipped file with its reason."""
    from search.cli.render import render_report

    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
        return
    summary, skipped = render_report(report, verb, SHOWN_SKIPS)
    click.echo(summary, nl=False)
    click.echo(skipped, nl=False, err=True)


@click.group(cls=NewsIndexGroup, context_settings=CONTEXT_SETTINGS)
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
@source_options
@click.option(
    "--output-format",
    "output",
    type=click.Choice(["jsonl", "text"]),
    default="jsonl",
    show_default=True,
    help="Print one JSON object per line, or a readable listing.",
)
@user_errors
def extract(
    sources: tuple[str, ...], format_: str | None, field_map: tuple[str, ...], output: str
) -> None:
    """Print the articles extracted from SOURCES without touching the index.

    SOURCES are files, directories, globs, .gz files or - for standard input.

    \b
    Examples:
        newsindex extract ../shared/corpora/seed/srnnews-japan-britain.txt
        newsindex extract desk.csv --format csv --output-format text
    """
    from search.cli.render import reading_lines
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
    for line in reading_lines(report):
        click.echo(line, err=True)
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
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Swap in the new index even if it indexed nothing, or fewer than half the articles "
    "of the live one (shrinking the archive on purpose).",
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
    allow_shrink: bool,
) -> None:
    """Build a new index from SOURCES and swap it in when complete.

    The new index is written beside the live one; a failed or interrupted rebuild leaves
    the old index serving, and so does one that indexed nothing or fewer than half the
    articles of the live index (a wrong folder or --format), unless --allow-shrink.

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
            list(sources),
            format=format_,
            field_map=fields,
            progress=progress,
            workers=jobs,
            allow_shrink=allow_shrink,
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
@json_option("Print the summary as JSON.")
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
@json_option()
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
    from search.cli.render import render_stats

    click.echo(render_stats(info), nl=False)


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
@click.option(
    "--page",
    type=int,
    default=1,
    show_default=True,
    help=f"Page of results; results stop at number {DEFAULTS.max_result_window:,}.",
)
@click.option(
    "--per-page",
    type=int,
    default=DEFAULTS.default_per_page,
    show_default=True,
    help=f"Results per page, from 1 to {DEFAULTS.max_per_page} (the max_per_page setting).",
)
@click.option("--all-copies", is_flag=True, help="List every copy of a syndicated story.")
@click.option("--count-copies", is_flag=True, help="Facets count copies, not stories.")
@json_option()
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
@click.option(
    "--limit",
    type=int,
    default=DEFAULTS.related_limit,
    show_default=True,
    help=f"How many stories, from 1 to {DEFAULTS.max_per_page}.",
)
@json_option()
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
@json_option()
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
@json_option()
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
