"""``newsindex search`` / ``related`` / ``show``: the listing, ``--json`` and error lines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command in a subprocess (the installed script, else the module), in
    ``env`` (default: this process's environment)."""
    command = (
        [shutil.which("newsindex")]
        if shutil.which("newsindex")
        else [sys.executable, "-c", "from search.cli import cli; cli()"]
    )
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(ROOT)}
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT, env=env)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def without_timing(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


def test_json_equals_the_library(demo_index, demo_news):
    result = invoke(
        "search",
        "cocoa exports",
        "--filter",
        "topics=cocoa",
        "--facet",
        "dateline",
        "--per-page",
        "3",
        "--json",
        "--index",
        str(demo_index),
    )
    assert result.exit_code == 0, result.output
    expected = demo_news.search(
        "cocoa exports", filters={"topics": ["cocoa"]}, facets=["dateline"], per_page=3
    ).to_dict()
    assert without_timing(json.loads(result.output)) == without_timing(expected)


def test_listing_says_where_the_near_matches_begin(demo_index, demo_news):
    result = demo_news.search("cocoa exporters", per_page=50)
    first_near = next(number for number, hit in enumerate(result.hits, 1) if hit.near)
    done = run("search", "cocoa exporters", "--per-page", "50", "--index", str(demo_index))
    assert done.returncode == 0, done.stderr
    held = result.total - result.near_matches
    more = result.near_matches
    assert f"{held} story matches the search; {more} stories holding fewer" in done.stdout
    before, after = done.stdout.split("These hold fewer of the words:")
    assert f"{first_near - 1:>3}. " in before and f"{first_near:>3}. " in after


def test_listing_in_a_real_process(demo_index, demo_news):
    done = run("search", "cocoa", "--sort", "newest", "--index", str(demo_index))
    assert done.returncode == 0, done.stderr
    top = demo_news.search("cocoa", sort="newest")
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{top.total:,} stories")
    assert f"  1. {top.hits[0].title}" in done.stdout
    assert "Facets (counting stories):" in done.stdout
    assert "  agency: Reuters (" in done.stdout
    assert "<mark>" not in done.stdout  # marks become bold, entities decoded


def test_suggestion_is_shown(demo_index):
    result = invoke("search", "cocao", "--index", str(demo_index))
    assert "Did you mean: cocoa?" in result.output


def test_a_query_of_operators_alone_lists_everything_and_says_so(demo_index, demo_news):
    done = run("search", "AND OR", "--per-page", "3", "--index", str(demo_index))
    assert done.returncode == 0 and done.stderr == ""
    everything = demo_news.search("", per_page=3)
    head, note = done.stdout.splitlines()[:2]
    assert head.startswith(f"{everything.total:,} stories")
    assert note == (
        "Note: nothing to search for in 'AND OR' (operators and the commonest words are not "
        "searched), so everything is listed"
    )
    assert f"  1. {everything.hits[0].title}" in done.stdout
    listed = run("search", '""', "--json", "--index", str(demo_index))
    assert json.loads(listed.stdout)["total"] == everything.total


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("title: cocoa", "title:cocoa"),
        ("cocoa published:>", "cocoa"),
        ("oil OR OR gas", "oil OR gas"),
    ],
)
def test_dangling_syntax_is_read_as_meant_in_a_real_process(demo_index, typed, meant):
    done = run("search", typed, "--json", "--index", str(demo_index))
    assert done.returncode == 0 and done.stderr == ""
    expected = run("search", meant, "--json", "--index", str(demo_index))
    assert without_timing(json.loads(done.stdout)) == {
        **without_timing(json.loads(expected.stdout)),
        "query": typed,
    }


def test_all_copies_flag_lists_copies(demo_index, demo_news):
    collapsed = json.loads(invoke("search", "cocoa", "--json", "--index", str(demo_index)).output)
    result = invoke("search", "cocoa", "--all-copies", "--json", "--index", str(demo_index))
    data = json.loads(result.output)
    assert data["collapse"] is False and data["total"] == data["total_copies"]
    assert data["total"] == collapsed["total_copies"] > collapsed["total"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["published:[abc TO 1987]"],
            "Error: cannot read the date 'abc': write dates as YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (
            ["oil", "--per-page", "500"],
            "Error: --per-page must be a whole number from 1 to 100, not 500",
        ),
        (
            ["oil", "--filter", "colour=red"],
            "Error: unknown filter field 'colour': use one of agency, publisher, dateline, topics, "
            "authors, year, month, published",
        ),
        (
            ["oil", "--filter", "agency"],
            "Error: --filter wants FIELD=VALUE (e.g. agency=AP), not 'agency'",
        ),
        (
            ["oil", "--facet", "colour"],
            "Error: unknown facet 'colour': use one of agency, publisher, dateline, topics, "
            "authors, year, month",
        ),
    ],
)
def test_user_errors_are_one_line(demo_index, args, line):
    result = invoke("search", *args, "--index", str(demo_index))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [line]


def test_missing_index(tmp_path):
    done = run("search", "oil", "--index", str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: no index at {tmp_path / 'nothing'} yet: build one with "
        "`newsindex rebuild SOURCE...`"
    )


@pytest.mark.parametrize("command", ["search oil", "stats", "add SOURCE", "rebuild SOURCE"])
def test_an_index_path_that_is_a_file_is_one_line(tmp_path, command):
    """``$NEWSINDEX_INDEX`` naming a file (click checks ``--index``, not the variable): one
    line, not a NotADirectoryError or FileExistsError traceback."""
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("not an index")
    source = tmp_path / "source"
    source.mkdir()
    (source / "story.txt").write_text("LONDON (Reuters) - Copper rose on Tuesday.\n")
    args = command.replace("SOURCE", str(source)).split()
    done = run(*args, env={**os.environ, "NEWSINDEX_INDEX": str(not_a_folder)})
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: {not_a_folder} is a file, not an index folder: give a folder "
        "(--index or $NEWSINDEX_INDEX; `newsindex rebuild` makes it)"
    )
    assert not_a_folder.read_text() == "not an index"


@pytest.mark.parametrize("damaged", ["story.col", "pkeys.npy", "trm", "_stored.col"])
def test_a_damaged_file_is_one_line_and_rebuild_repairs_it(demo_index, tmp_path, damaged):
    """A segment file cut to nothing (a disk fault, a bad copy): searches say the index is
    damaged and name the fix, and that fix, a rebuild, works. Before, the search printed a
    traceback (or click's bare "Aborted.") and the rebuild itself failed: opening the index
    read the reader's files, the damaged one among them."""
    path = tmp_path / "index"
    shutil.copytree(demo_index, path)
    for victim in sorted(path.glob(f"gen-*/*.{damaged}".replace("._", "_"))):
        victim.write_bytes(b"")
    done = run("search", "oil", "--index", str(path))
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: the index at {path} is damaged (")
    assert done.stderr.strip().endswith("rebuild it with `newsindex rebuild`")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    rebuilt = run("rebuild", str(ROOT / "search" / "demo"), "--index", str(path), "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    found = run("search", "oil", "--index", str(path), "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["total"] > 0


def test_the_default_index_is_the_projects_index_folder(tmp_path):
    # the folder the README and .gitignore name, not one inside the package
    env = {k: v for k, v in os.environ.items() if k != "NEWSINDEX_INDEX"}
    command = [sys.executable, "-m", "search.cli", "stats"]
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert f"{ROOT / 'index'}" in done.stdout + done.stderr
    assert f"{ROOT / 'search' / 'index'}" not in done.stdout + done.stderr
    assert (ROOT / "index" / "README.md").exists()


def test_show_and_related(demo_index, demo_news):
    record = demo_news.search("cocoa record", per_page=1).hits[0]
    assert record.also_ran.count == 2
    shown = invoke("show", record.id, "--index", str(demo_index))
    assert shown.exit_code == 0
    assert shown.output.startswith(record.title)
    as_json = json.loads(invoke("show", record.id, "--json", "--index", str(demo_index)).output)
    assert as_json["article"]["id"] == record.id
    assert len(as_json["copies"]) == 2
    assert as_json["copies"] == [c.to_dict() for c in demo_news.copies(record.id)]
    related = json.loads(invoke("related", record.id, "--json", "--index", str(demo_index)).output)
    assert related["related"] and [h["id"] for h in related["related"]] == [
        h.id for h in demo_news.related(record.id)
    ]
    missing = invoke("show", "nope", "--index", str(demo_index))
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no article with id 'nope'"


@pytest.mark.parametrize(
    ("article_id", "authors", "contributors", "credit"),
    [
        ("brief-016", ["Tom Whitby"], ["Mira Hoffmann"], "By Tom Whitby; with Mira Hoffmann"),
        ("cc-2024-11-0087", [], ["Noor Jansen"], "With Noor Jansen"),  # a credit line only
    ],
)
def test_show_credits_contributors_beside_the_authors(
    demo_index, article_id, authors, contributors, credit
):
    done = run("show", article_id, "--index", str(demo_index))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2] == credit  # under the headline and the dateline
    as_json = json.loads(run("show", article_id, "--json", "--index", str(demo_index)).stdout)
    assert as_json["article"]["authors"] == authors
    assert as_json["article"]["contributors"] == contributors


# -- errors and names agree with the README (issue 10, item 6) -------------------------------


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["search", "oil", "--page", "abc"], "Error: Invalid value for '--page': 'abc'"),
        (["search", "oil", "--sort", "date"], "Error: Invalid value for '--sort': 'date'"),
        (["delete"], "Error: Missing argument 'IDS...'"),
        (["search", "oil", "--colour", "red"], "Error: No such option '--colour'"),
        (["serach", "oil"], "Error: No such command 'serach'"),
    ],
)
def test_usage_mistakes_are_one_line_and_exit_2(demo_index, args, start):
    done = run(*args, "--index", str(demo_index))
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(start), line
    command = "newsindex" if args[0] == "serach" else f"newsindex {args[0]}"
    assert line.endswith(f"(see {command} --help)")


def test_a_query_read_as_an_option_says_how_to_search_it(demo_index):
    """``newsindex search -oil`` (stories without oil): Click reads ``-o`` as an option."""
    done = run("search", "-oil", "--index", str(demo_index))
    assert done.returncode == 2 and done.stdout == ""
    assert "goes last, after '--': newsindex search -- -oil" in done.stderr
    meant = run("search", "--index", str(demo_index), "--", "-oil")
    assert meant.returncode == 0 and " stories" in meant.stdout.splitlines()[0]
    other = run("stats", "-x", "--index", str(demo_index))  # takes no query: no such hint
    assert other.returncode == 2 and "after '--'" not in other.stderr


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["search", "oil", "--page", "0"], "Error: --page must be a whole number from 1, not 0"),
        (["search", "oil", "--page", "2000"], "Error: --page 2000 is too deep"),
        (["related", "x", "--limit", "0"], "Error: --limit must be a whole number from 1 to 100"),
    ],
)
def test_library_limits_name_the_option_as_typed(demo_index, args, line):
    result = invoke(*args, "--index", str(demo_index))
    assert result.exit_code == 1
    assert result.output.strip().startswith(line)
    assert "_" not in result.output.split(":", 2)[1].split()[0]


def test_help_states_the_limits():
    text = invoke("search", "--help").output
    assert "from 1 to 100" in text and "10,000" in text


def test_extract_reads_the_format_it_is_told(tmp_path):
    export = tmp_path / "desk.txt"  # a CSV whose name does not say so
    export.write_text(
        "Title,Body,Date\nFerry returns,The ferry sailed again on Monday.,2025-05-02\n"
    )
    out = invoke("extract", str(export), "--format", "csv")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["title"] == "Ferry returns"
    text = invoke("extract", str(export), "--format", "csv", "--output-format", "text").output
    assert text.startswith("Ferry returns\n") and "2025-05-02" in text


# -- terminal output a person reads (issue 10, item 8) ---------------------------------------


def test_empty_facets_are_left_out_and_a_selection_says_so(demo_index):
    result = invoke("search", "oil", "--filter", "agency=dpa", "--index", str(demo_index)).output
    assert "agency: " in result and "dpa (0, selected)" in result
    assert ": -" not in result and "*" not in result
    nothing = invoke("search", "zzyzx", "--index", str(demo_index)).output
    assert nothing.strip() == nothing.strip().splitlines()[0]  # the count line alone
    assert "Facets" not in nothing


def test_a_page_past_the_end_says_so(demo_index, demo_news):
    pages = demo_news.search("oil").pages
    result = invoke("search", "oil", "--page", "99", "--index", str(demo_index)).output
    assert f"Page 99 is past the end: the results fill pages 1 to {pages}." in result


def test_counts_have_thousands_separators():
    from search.cli.render import render_report
    from search.indexing.indexer import IndexReport

    report = IndexReport(indexed=21577, seconds=11.9, documents=21577, stories=19052)
    summary, _ = render_report(report, "Indexed", 20)
    assert summary.splitlines() == [
        "Indexed 21,577 articles in 11.9 s (1,813 articles a second)",
        "Index now: 21,577 articles in 19,052 stories",
    ]


def test_an_add_that_only_updates_says_so():
    from search.cli.render import render_report
    from search.indexing.indexer import IndexReport

    report = IndexReport(updated=1, seconds=0.3, documents=42, stories=40)
    summary, _ = render_report(report, "Added", 20)
    assert summary.splitlines() == [
        "Updated 1 article in 0.3 s",
        "Index now: 42 articles in 40 stories",
    ]


def test_progress_says_what_it_waits_for():
    import io

    from search.cli.render import ProgressLine

    screen = io.StringIO()
    progress = ProgressLine("Indexing", screen)
    for _ in range(1234):
        progress(1)
    progress.stage("writing the index")
    progress.close()
    assert "Indexing: 1,234 articles, writing the index…" in screen.getvalue()
    assert " 1 articles" not in screen.getvalue() and "s/ articles" not in screen.getvalue()


def test_stats_speaks_of_articles_not_fields(demo_index, demo_news):
    text = invoke("stats", "--index", str(demo_index)).output
    assert f"articles:   {demo_news.stats().documents:,} in " in text
    assert "facet_" not in text and "published_iso" not in text
    assert "values:     agency 4 · publisher " in text


def test_a_wire_story_without_a_headline_gets_a_readable_one():
    kenya = ROOT / "search" / "demo" / "wire" / "ap-nairobi-kenya-drought.txt"
    article = json.loads(invoke("extract", str(kenya)).output)
    assert article["title"] == (
        "Herders in northern Kenya are walking their cattle farther than ever in search of water"
    )
