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


def run(*args: str) -> subprocess.CompletedProcess:
    """The real command in a subprocess (the installed script, else the module)."""
    command = (
        [shutil.which("newsindex")]
        if shutil.which("newsindex")
        else [sys.executable, "-c", "from search.cli import cli; cli()"]
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT, env=env)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def without_timing(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


def test_json_equals_the_library(reuters_index, reuters_news):
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
        str(reuters_index),
    )
    assert result.exit_code == 0, result.output
    expected = reuters_news.search(
        "cocoa exports", filters={"topics": ["cocoa"]}, facets=["dateline"], per_page=3
    ).to_dict()
    assert without_timing(json.loads(result.output)) == without_timing(expected)


def test_listing_in_a_real_process(reuters_index, reuters_news):
    done = run("search", "cocoa", "--sort", "newest", "--index", str(reuters_index))
    assert done.returncode == 0, done.stderr
    top = reuters_news.search("cocoa", sort="newest")
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{top.total:,} stories")
    assert f"  1. {top.hits[0].title}" in done.stdout
    assert "Facets (counting stories):" in done.stdout
    assert "  agency: Reuters (" in done.stdout
    assert "<mark>" not in done.stdout  # marks become bold, entities decoded


def test_suggestion_is_shown(reuters_index):
    result = invoke("search", "cocao", "--index", str(reuters_index))
    assert "Did you mean: cocoa?" in result.output


def test_all_copies_flag_lists_copies(reuters_index, reuters_news):
    result = invoke("search", "oil", "--all-copies", "--json", "--index", str(reuters_index))
    data = json.loads(result.output)
    assert data["collapse"] is False and data["total"] == data["total_copies"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["published:[abc TO 1987]"],
            "Error: cannot read the date 'abc': write dates as YYYY, YYYY-MM or YYYY-MM-DD",
        ),
        (
            ["oil", "--per-page", "500"],
            "Error: per_page must be a whole number from 1 to 100, not 500",
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
def test_user_errors_are_one_line(reuters_index, args, line):
    result = invoke("search", *args, "--index", str(reuters_index))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [line]


def test_missing_index(tmp_path):
    done = run("search", "oil", "--index", str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: no index at {tmp_path / 'nothing'} yet: build one with "
        "`newsindex rebuild SOURCE...`"
    )


def test_show_and_related(reuters_index, reuters_news, reuters_slice):
    record = reuters_slice[0]
    shown = invoke("show", record["id"], "--index", str(reuters_index))
    assert shown.exit_code == 0
    assert shown.output.startswith(record["title"])
    as_json = json.loads(
        invoke("show", record["id"], "--json", "--index", str(reuters_index)).output
    )
    assert as_json["article"]["id"] == record["id"]
    assert as_json["copies"] == [c.to_dict() for c in reuters_news.copies(record["id"])]
    related = json.loads(
        invoke("related", record["id"], "--json", "--index", str(reuters_index)).output
    )
    assert [h["id"] for h in related["related"]] == [
        h.id for h in reuters_news.related(record["id"])
    ]
    missing = invoke("show", "nope", "--index", str(reuters_index))
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no article with id 'nope'"
