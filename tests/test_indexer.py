"""Indexing from the command line: rebuild and swap, upsert, delete, stats, bad files.

Every test runs the real ``newsindex`` command in a subprocess against real files.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
SEED = CORPORA / "seed" / "srnnews-japan-britain.txt"
REUTERS = CORPORA / "reuters21578" / "reuters21578.jsonl.gz"
DEMO = ROOT / "search" / "demo"
#: A wire story of the demo: dateline, agency and a contributor credit, no date.
WIRE = DEMO / "wire" / "ap-washington-airline-refunds.txt"


def newsindex(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "search.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"exit {done.returncode}: {done.stderr}")
    return done


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"corpus missing: {path}")
    return path


def search_ids(index: Path, query: str) -> list[str]:
    out = newsindex(
        "search", query, "--index", str(index), "--json", "--per-page", "100", "--all-copies"
    )
    return [hit["id"] for hit in json.loads(out.stdout)["hits"]]


def stats(index: Path) -> dict:
    return json.loads(newsindex("stats", "--index", str(index), "--json").stdout)


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("demo") / "index"
    newsindex("rebuild", str(DEMO), "--index", str(index), "--silent")
    return index


def test_extract_prints_the_seed_fields_as_json():
    out = newsindex("extract", str(need(SEED)))
    (line,) = out.stdout.splitlines()
    article = json.loads(line)
    assert article["dateline"] == "TOKYO" and article["agency"] == "AP"
    assert article["publisher"] == "srnnews.com" and article["contributors"] == ["Mayuko Ono"]
    assert article["body"].startswith("Japan and Britain agreed Saturday")
    assert article["body"].endswith(
        "“I hope to elevate Japan-British relations even higher,” Takaichi said."
    )
    assert article["source_file"].endswith("srnnews-japan-britain.txt")
    for field in ("id", "url", "title", "published", "authors", "topics", "language", "word_count"):
        assert field in article


def test_extract_reads_stdin_and_gzip(tmp_path):
    gz = tmp_path / "wire.txt.gz"
    gz.write_bytes(gzip.compress(WIRE.read_bytes()))
    from_gz = json.loads(newsindex("extract", str(gz)).stdout)
    from_stdin = json.loads(
        newsindex("extract", "-", "--format", "text", input=WIRE.read_text("utf-8")).stdout
    )
    assert from_gz["body"] == from_stdin["body"]
    assert from_gz["body"].startswith("A Senate committee voted Wednesday")
    assert from_gz["dateline"] == from_stdin["dateline"] == "WASHINGTON"


def test_rebuild_indexes_every_demo_format(demo_index, demo_articles):
    info = stats(demo_index)
    # The Techline launch story is both a page and a JSON Feed entry with one URL, so it is
    # one article: the fuller copy (the page) is kept, the summary counted as a duplicate.
    assert info["documents"] == len(demo_articles) > 150
    shown = newsindex("show", "url-2f2462b271540b087b1f", "--index", str(demo_index), "--json")
    article = json.loads(shown.stdout)["article"]
    assert article["source_file"].endswith(".html") and article["word_count"] > 150
    kinds = {path.suffix for path in DEMO.rglob("*.*")}
    assert {".txt", ".html", ".jsonl", ".csv", ".xml", ".atom", ".json", ".gz"} <= kinds
    assert info["size_bytes"] > 0 and info["built_at"]


def test_rebuild_summary_counts_skipped_files(tmp_path):
    sources = tmp_path / "in"
    sources.mkdir()
    (sources / "wire.txt").write_bytes(WIRE.read_bytes())
    (sources / "empty.txt").write_bytes(b"")
    (sources / "binary.txt").write_bytes(b"\x00\x01\x02PNG" * 50)
    (sources / "broken.jsonl.gz").write_bytes(gzip.compress(b'{"title": "x", "body": "y"}\n')[:-12])
    (sources / "bad.json").write_text("{not json", "utf-8")
    out = newsindex("rebuild", str(sources), "--index", str(tmp_path / "ix"), "--json")
    summary = json.loads(out.stdout)
    assert summary["indexed"] == summary["documents"] == 1
    reasons = {Path(s["source_file"]).name: s["reason"] for s in summary["skipped"]}
    assert set(reasons) == {"empty.txt", "binary.txt", "broken.jsonl.gz", "bad.json"}
    assert "WASHINGTON" in newsindex("search", "refunds", "--index", str(tmp_path / "ix")).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rebuild", "/no/such/path"], "no such file or directory"),
        (["rebuild", "/no/such/*.txt"], "no files match"),
        (["stats"], "no index at"),
        (["search", "x"], "no index at"),
    ],
)
def test_user_mistakes_are_one_line(tmp_path, args, message):
    done = newsindex(*args, "--index", str(tmp_path / "none"), check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in done.stderr


EXPORT = "".join(
    json.dumps({"id": f"desk-{n}", "headline": title, "copy_text": body}) + "\n"
    for n, (title, body) in enumerate(
        [
            ("Ferry strike ends", "Harbour ferries sailed again on Monday after a week."),
            ("Bridge reopens", "The old bridge reopened to traffic after repairs."),
        ]
    )
)
NO_SUCH_LINE = '--map body=nosuch: no record had a column "nosuch"'


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_map_naming_a_column_no_record_has_says_so_on_stderr(tmp_path, jobs):
    export = tmp_path / "desk.jsonl"
    export.write_text(EXPORT, "utf-8")
    index = str(tmp_path / "ix")
    typo = ("--map", "body=nosuch", "--map", "title=HEADLINE")
    done = newsindex("rebuild", str(export), "--index", index, "-j", jobs, *typo)
    # title=HEADLINE matched "headline"; with no body column, the records are headlines
    headlines = f"{export}: none of its 2 records has a body: read as headlines only"
    assert done.stderr.splitlines() == [NO_SUCH_LINE, headlines]
    assert done.stdout.startswith("Indexed 2 articles")
    as_json = newsindex("rebuild", str(export), "--index", index, "-j", jobs, "--json", *typo)
    assert json.loads(as_json.stdout)["unmatched_map"] == {"body": "nosuch"}
    added = newsindex("add", str(export), "--index", index, *typo)
    assert added.stderr.splitlines() == [NO_SUCH_LINE, headlines]
    extracted = newsindex("extract", str(export), *typo)
    assert extracted.stderr.splitlines() == [NO_SUCH_LINE, headlines]
    # the column the map names, in one file of the run, is enough
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"title": "T", "nosuch": "A body here."}) + "\n", "utf-8")
    both = newsindex("rebuild", str(export), str(other), "--index", index, *typo, "--json")
    assert json.loads(both.stdout)["unmatched_map"] == {} and both.stderr == ""


def test_a_headline_only_export_is_indexed_with_a_warning(tmp_path):
    """A CSV of headlines (no body column) is legitimate, but an ``add`` of it replaces the
    stored articles of its ids with headlines only: the run says so, and exits 0."""
    full = tmp_path / "desk.jsonl"
    full.write_text(EXPORT, "utf-8")
    heads = tmp_path / "heads.csv"
    heads.write_text("id,headline,words\ndesk-0,Ferry strike ends,300\n", "utf-8")
    index = str(tmp_path / "ix")
    built = newsindex("rebuild", str(full), "--index", index, "--map", "body=copy_text")
    assert built.stderr == ""
    added = newsindex("add", str(heads), "--index", index)
    assert added.stdout.startswith("Updated 1 article ")
    assert added.stderr.splitlines() == [
        f"{heads}: its one record has no body: read as a headline only"
    ]
    assert "Harbour ferries" not in newsindex("show", "desk-0", "--index", index).stdout
    as_json = json.loads(newsindex("add", str(heads), "--index", index, "--json").stdout)
    assert as_json["warnings"] == [
        {
            "source_file": str(heads),
            "warning": "its one record has no body: read as a headline only",
        }
    ]


def test_the_headline_warning_counts_the_records_read_and_looks_inside_markup(tmp_path):
    """Records skipped for holding no text are not counted as headlines (a file of them
    only gets no warning), and a body of empty markup is no body."""
    lines = {
        "mixed.jsonl": [{"id": "a", "title": "Ferry strike ends"}, {"id": "b", "foo": "bar"}],
        "shell.jsonl": [
            {"id": "c", "title": "Bridge reopens", "body_html": "<div><p> </p></div>"},
            {"id": "d", "title": "Dock closes", "body_html": "<script>track()</script>"},
        ],
        "allskip.jsonl": [{"foo": "bar"}, {"foo": "baz"}],
        "full.jsonl": [
            {"id": "e", "title": "Quay opens", "body_html": "<p>The quay opened.</p>"},
            {"id": "f", "title": "Pier shuts"},
        ],
    }
    for name, records in lines.items():
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    done = newsindex("extract", *(str(tmp_path / name) for name in lines))
    warnings = [line for line in done.stderr.splitlines() if not line.startswith("skipped ")]
    assert warnings == [
        f"{tmp_path / 'mixed.jsonl'}: its one record has no body: read as a headline only",
        f"{tmp_path / 'shell.jsonl'}: none of its 2 records has a body: read as headlines only",
    ]


def test_a_map_naming_an_unknown_field_is_refused_before_reading(tmp_path):
    export = tmp_path / "desk.jsonl"
    export.write_text(EXPORT, "utf-8")
    index = tmp_path / "ix"
    done = newsindex(
        "rebuild", str(export), "--index", str(index), "--map", "bdy=copy_text", check=False
    )
    assert done.returncode == 1 and not index.exists()
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: --map: unknown field 'bdy' (known: id, url, title, body, ")


def test_a_csv_row_with_an_unclosed_quote_is_reported_and_the_other_rows_indexed(tmp_path):
    export = tmp_path / "desk.csv"
    export.write_text(
        "title,body\n"
        "Ferry strike ends,Harbour ferries sailed again on Monday.\n"
        '"Council votes,The council voted on the budget.\n'
        "Bridge reopens,The old bridge reopened to traffic.\n"
        'Library extends hours,"The library will open ""late"" on Fridays."\n',
        "utf-8",
    )
    index = str(tmp_path / "ix")
    done = newsindex("rebuild", str(export), "--index", index)
    assert done.stderr.splitlines() == [
        f"{export}:3: not valid CSV (',' expected after '\"', line 5)"
    ]
    assert "skipped 1 file or record" in done.stdout
    articles = [
        json.loads(line) for line in newsindex("export", "", "--index", index).stdout.splitlines()
    ]
    assert sorted((a["title"], a["word_count"]) for a in articles) == [
        ("Bridge reopens", 6),
        ("Ferry strike ends", 6),
        ("Library extends hours", 7),
    ]


def test_unknown_format_is_a_usage_error(tmp_path):
    done = newsindex("rebuild", str(WIRE), "--format", "pdf", "--index", str(tmp_path), check=False)
    assert done.returncode == 2 and "Invalid value for '--format'" in done.stderr


def many_briefs(path: Path, copies: int = 150) -> Path:
    """A JSONL of about 17,000 wire briefs (the demo's generator, many seeds): a rebuild of
    it runs long enough to be interrupted."""
    from fixtures.make_demo_briefs import briefs, render

    with path.open("w", encoding="utf-8") as fh:
        for seed in range(copies):
            records = briefs(seed)
            for record in records:
                record["id"] = f"{record['id']}-{seed}"
            fh.write(render(records))
    return path


def rebuild_in_background(index: Path) -> tuple[subprocess.Popen, dict]:
    """Index one wire story, then start a rebuild of ``index`` from thousands of briefs in its
    own process group (Ctrl-C left at its default) and return once its new generation is
    being written, the process still running."""
    newsindex("rebuild", str(WIRE), "--index", str(index), "--silent")
    before = stats(index)
    source = many_briefs(index.parent / "briefs.jsonl")
    proc = subprocess.Popen(
        [sys.executable, "-m", "search.cli", "rebuild", str(source), "--index", str(index)]
        + ["--silent"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while len(list(index.glob("gen-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(list(index.glob("gen-*"))) == 2, "the new generation never appeared"
    assert proc.poll() is None, f"the rebuild ended before it could be interrupted: {proc.poll()}"
    return proc, before


def test_interrupted_rebuild_leaves_the_old_index_serving(tmp_path):
    index = tmp_path / "ix"
    proc, before = rebuild_in_background(index)
    time.sleep(1.5)  # well into writing the new generation
    assert proc.poll() is None, "the rebuild finished before the kill"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(list(index.glob("gen-*"))) == 2  # the dead run left its folder ...
    after = stats(index)
    assert after["generation"] == before["generation"] and after["documents"] == 1
    assert search_ids(index, "refunds") == [
        json.loads(newsindex("extract", str(WIRE)).stdout)["id"]
    ]
    # ... which the next write clears (the generation it replaces stays a while for readers
    # that were opening it).
    newsindex("rebuild", str(WIRE), "--index", str(index), "--silent")
    generations = {p.name for p in index.glob("gen-*")}
    assert generations == {stats(index)["generation"], before["generation"]}


def test_ctrl_c_stops_a_rebuild_cleanly(tmp_path):
    index = tmp_path / "ix"
    proc, before = rebuild_in_background(index)
    time.sleep(1.0)
    assert proc.poll() is None, "the rebuild finished before Ctrl-C"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the whole process group
    _, err = proc.communicate(timeout=60)
    # A shell reports 130 for both: exit status 130, or the end by SIGINT that Python uses
    # when an interrupt arrives while it winds down its worker processes.
    assert proc.returncode in (130, -signal.SIGINT)
    assert err.strip() == "Interrupted: nothing was changed."
    assert [p.name for p in index.glob("gen-*")] == [before["generation"]]
    assert stats(index)["documents"] == 1


def test_failed_rebuild_keeps_old_index(tmp_path):
    index = tmp_path / "ix"
    newsindex("rebuild", str(WIRE), "--index", str(index), "--silent")
    before = stats(index)
    done = newsindex("rebuild", str(WIRE), "/no/such/file", "--index", str(index), check=False)
    assert done.returncode == 1
    assert stats(index)["generation"] == before["generation"]
    assert len(list(index.glob("gen-*"))) == 1


def test_add_upserts_and_delete_removes(demo_copy):
    index, tmp_path = demo_copy, demo_copy.parent
    start = stats(index)["documents"]
    story = tmp_path / "story.jsonl"
    record = {
        "id": "local-1",
        "title": "Harbour bridge reopens",
        "body": "The harbour bridge reopened on Monday after repairs, the city said. " * 5,
        "date": "2026-03-02",
    }
    story.write_text(json.dumps(record) + "\n", "utf-8")
    added = json.loads(newsindex("add", str(story), "--index", str(index), "--json").stdout)
    assert (added["indexed"], added["updated"], added["documents"]) == (1, 0, start + 1)
    assert search_ids(index, "harbour AND bridge") == ["local-1"]

    record["title"] = "Harbour bridge reopens to traffic"
    record["body"] = "Quellmark engineers cleared the span. " * 10
    story.write_text(json.dumps(record) + "\n", "utf-8")
    again = json.loads(newsindex("add", str(story), "--index", str(index), "--json").stdout)
    assert (again["indexed"], again["updated"], again["documents"]) == (0, 1, start + 1)
    assert search_ids(index, "quellmark") == ["local-1"]
    assert search_ids(index, '"reopened on Monday after repairs"') == []

    gone = json.loads(newsindex("delete", "local-1", "--index", str(index), "--json").stdout)
    assert gone["deleted"] == 1 and gone["documents"] == start
    mixed = newsindex("delete", "local-1", "nope", "--index", str(index), "--json", check=False)
    assert json.loads(mixed.stdout)["not_found"] == ["local-1", "nope"]
    assert "source_file" not in mixed.stdout.split('"skipped"')[0]
    assert search_ids(index, "quellmark") == []
    missing = newsindex("delete", "local-1", "--index", str(index), check=False)
    assert missing.returncode == 1 and "Error: none of those ids" in missing.stderr


def test_parallel_and_serial_rebuilds_hold_the_same_documents(tmp_path):
    for jobs in ("1", "2"):
        newsindex("rebuild", str(DEMO), "--index", str(tmp_path / jobs), "-j", jobs, "--silent")
    results = []
    for jobs in ("1", "2"):
        found = {}
        for query in ("said", "market OR bank", ""):
            out = json.loads(
                newsindex(
                    "search",
                    query,
                    "--index",
                    str(tmp_path / jobs),
                    "--json",
                    "--per-page",
                    "100",
                    "--all-copies",
                    "--sort",
                    "oldest",
                ).stdout
            )
            found[query] = (out["total"], [h["id"] for h in out["hits"]], out["facets"])
        results.append(found)
    assert results[0] == results[1]
    assert results[0]["market OR bank"][0] > 20
    assert stats(tmp_path / "1")["documents"] == stats(tmp_path / "2")["documents"] > 100
    assert stats(tmp_path / "1")["stories"] == stats(tmp_path / "2")["stories"]


def test_index_defaults_to_environment_variable(tmp_path):
    env = {**os.environ, "NEWSINDEX_INDEX": str(tmp_path / "env-ix")}
    subprocess.run(
        [sys.executable, "-m", "search.cli", "rebuild", str(WIRE), "--silent"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [sys.executable, "-m", "search.cli", "stats", "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(out.stdout)["documents"] == 1


def test_add_keeps_the_fuller_copy_of_a_repeated_id(demo_copy):
    """As a rebuild does (and as its summary says): a feed's summary and the page it links
    arrive with one id, the longer first or second."""
    index, tmp_path = demo_copy, demo_copy.parent
    start = stats(index)["documents"]
    short = {"id": "twice-1", "title": "Ferry short", "body": "Ferry crews walked out. " * 3}
    full = {"id": "twice-1", "title": "Ferry full", "body": "Ferry crews walked out. " * 30}
    for order, (first, second) in enumerate([(short, full), (full, short)]):
        batch = tmp_path / f"twice-{order}.jsonl"
        batch.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n", "utf-8")
        added = json.loads(newsindex("add", str(batch), "--index", str(index), "--json").stdout)
        assert added["duplicates"] == 1 and added["documents"] == start + 1
        shown = newsindex("show", "twice-1", "--index", str(index), "--json").stdout
        article = json.loads(shown)["article"]
        assert article["title"] == "Ferry full" and article["word_count"] == 120
        assert search_ids(index, "ferry AND crews") == ["twice-1"]


@pytest.mark.parametrize("command", ["rebuild", "add"])
def test_of_three_copies_of_an_id_the_fullest_is_kept(demo_copy, command):
    """Not merely one fuller than the first: short, full, then medium keeps the full."""
    index, tmp_path = demo_copy, demo_copy.parent
    copies = [("Ferry short", 3), ("Ferry full", 30), ("Ferry medium", 15)]
    batch = tmp_path / "thrice.jsonl"
    batch.write_text(
        "".join(
            json.dumps({"id": "thrice-1", "title": t, "body": "Ferry crews walked out. " * n})
            + "\n"
            for t, n in copies
        ),
        "utf-8",
    )
    shrink = ["--allow-shrink"] if command == "rebuild" else []
    done = newsindex(command, str(batch), "--index", str(index), "--json", *shrink)
    assert json.loads(done.stdout)["duplicates"] == 2
    shown = newsindex("show", "thrice-1", "--index", str(index), "--json").stdout
    assert json.loads(shown)["article"]["title"] == "Ferry full"


def test_add_joins_a_syndicated_copy_to_its_story(tmp_path):
    index = tmp_path / "ix"
    newsindex("rebuild", str(WIRE), "--index", str(index), "--silent")
    body = WIRE.read_text("utf-8").split("\n___\n")[0].split("\n\n", 1)[1]
    trimmed = body.rsplit("\n\n", 1)[0]  # the last paragraph cut, as sites do
    copy = tmp_path / "copy.txt"
    copy.write_text(
        "Airlines would have a week to refund canceled flights under Senate bill\n\n"
        + trimmed
        + "\n\nBrought to you by www.kxnews.example\n",
        "utf-8",
    )
    added = json.loads(newsindex("add", str(copy), "--index", str(index), "--json").stdout)
    assert (added["indexed"], added["documents"], added["stories"]) == (1, 2, 1)
    result = json.loads(
        newsindex("search", "airline refunds", "--index", str(index), "--json").stdout
    )
    assert (result["total"], result["total_copies"]) == (1, 2)
    (hit,) = result["hits"]
    assert hit["also_ran"]["count"] == 1
    publishers = {hit["publisher"], hit["also_ran"]["outlets"][0]["publisher"]}
    assert publishers == {"AP", "kxnews.example"}


# -- a rebuild that would empty or gut the archive is refused (issue 10, item 2) -------------


def refused(index: Path, *sources: str, extra: tuple[str, ...] = ()) -> str:
    """Rebuild ``index`` from ``sources``, expecting the refusal; returns its one line."""
    before = stats(index)
    done = newsindex("rebuild", *sources, "--index", str(index), "--silent", *extra, check=False)
    assert done.returncode == 1, done.stdout
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Error: the rebuild indexed ")
    assert line.endswith("the live index is unchanged (--allow-shrink replaces it anyway)")
    assert stats(index) == before
    assert [p.name for p in index.glob("gen-*")] == [before["generation"]]
    return line


@pytest.fixture
def demo_copy(tmp_path, demo_index) -> Path:
    """A copy of the rebuilt demo to change."""
    index = tmp_path / "ix"
    shutil.copytree(demo_index, index)
    return index


def test_rebuild_of_a_folder_without_news_keeps_the_archive(tmp_path, demo_copy):
    folder = tmp_path / "no-news"
    folder.mkdir()
    (folder / "notes.txt").write_text("", "utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    line = refused(demo_copy, str(folder))
    assert line.startswith(
        "Error: the rebuild indexed no articles, skipped 1 (e.g. 1 × empty file)"
    )


def test_rebuild_with_the_wrong_format_keeps_the_archive(demo_copy):
    export = DEMO / "exports" / "coastline-courier-cms-export.jsonl"
    line = refused(demo_copy, str(export), extra=("--format", "csv"))
    assert "skipped 1 (e.g. 1 × no title or body column (its columns: {" in line


def test_rebuild_that_skips_most_of_its_input_and_shrinks_is_refused(tmp_path, demo_copy):
    folder = tmp_path / "mostly-broken"
    folder.mkdir()
    (folder / "story.txt").write_text(
        "Ferry timetable changes\n\nThe harbour ferry will sail hourly from Monday.\n", "utf-8"
    )
    for n in range(3):
        (folder / f"broken-{n}.json").write_text("{not json", "utf-8")
    live = stats(demo_copy)["documents"]
    line = refused(demo_copy, str(folder))
    assert line.startswith(
        f"Error: the rebuild indexed 1 article where the live index holds {live:,}, "
        "skipped 3 (e.g. 3 × "
    )


def test_allow_shrink_replaces_the_archive_on_purpose(tmp_path, demo_copy):
    folder = tmp_path / "no-news"
    folder.mkdir()
    (folder / "notes.txt").write_text("", "utf-8")
    newsindex("rebuild", str(folder), "--index", str(demo_copy), "--silent", "--allow-shrink")
    assert stats(demo_copy)["documents"] == 0
    assert search_ids(demo_copy, "") == []  # an empty index still answers


def test_a_rebuild_from_a_wrong_folder_of_good_news_keeps_the_archive(demo_copy):
    """Nothing is skipped, but the folder holds a tenth of the archive (a half-mounted share,
    a cron job pointed at the wrong folder): refused until the shrink is asked for."""
    live = stats(demo_copy)["documents"]
    line = refused(demo_copy, str(DEMO / "wire"))
    assert line.startswith("Error: the rebuild indexed ")
    assert f" articles where the live index holds {live:,}; the live" in line
    newsindex(
        "rebuild", str(DEMO / "wire"), "--index", str(demo_copy), "--silent", "--allow-shrink"
    )
    assert 0 < stats(demo_copy)["documents"] < 20


def test_a_rebuild_that_keeps_half_the_archive_is_not_refused(tmp_path, demo_copy):
    """Shrinking by less than half (stories aged out of the folder) is routine."""
    pages = sorted((DEMO / "pages").glob("*.html"))
    newsindex(
        "rebuild", str(DEMO / "pages"), "--index", str(demo_copy), "--silent", "--allow-shrink"
    )
    live = stats(demo_copy)["documents"]
    kept = tmp_path / "kept"
    kept.mkdir()
    for page in pages[: len(pages) // 2 + 1]:
        shutil.copy(page, kept / page.name)
    newsindex("rebuild", str(kept), "--index", str(demo_copy), "--silent")
    assert live / 2 <= stats(demo_copy)["documents"] < live


def test_a_first_rebuild_that_indexes_nothing_builds_no_index(tmp_path):
    folder = tmp_path / "no-news"
    folder.mkdir()
    (folder / "notes.txt").write_text("", "utf-8")
    done = newsindex("rebuild", str(folder), "--index", str(tmp_path / "ix"), check=False)
    assert done.returncode == 1 and "the rebuild indexed no articles" in done.stderr
    assert not (tmp_path / "ix" / "manifest.json").exists()


def test_the_library_refuses_too(tmp_path, demo_copy):
    from search import NewsIndex
    from search.errors import RebuildRefused

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("", "utf-8")
    with pytest.raises(RebuildRefused, match="indexed no articles") as caught:
        NewsIndex(demo_copy).rebuild([str(empty)], workers=1)
    assert caught.value.status == 409
    assert NewsIndex(demo_copy).rebuild([str(empty)], allow_shrink=True).documents == 0


def test_an_archive_emptied_on_purpose_answers_every_read(tmp_path):
    """``rebuild --allow-shrink`` of nothing leaves an index with no segment: searches,
    the timeline, stats and export answer with nothing found, not a traceback."""
    (tmp_path / "empty.jsonl").write_text("", "utf-8")
    index = str(tmp_path / "ix")
    newsindex("rebuild", str(tmp_path / "empty.jsonl"), "--index", index, "--allow-shrink")
    for query in ["ferries", "harbour ferries", '"white house"', "ferr*", "", "authors:doe"]:
        done = newsindex("search", query, "--index", index, "--json")
        assert json.loads(done.stdout)["total"] == 0, query
    for command in (["stats"], ["timeline", "ferries"], ["export", "ferries"]):
        done = newsindex(*command, "--index", index, check=False)
        assert done.returncode == 0 and "Traceback" not in done.stderr, command


def test_a_segment_series_ends_its_first_segment_at_the_staggered_budget(tmp_path):
    """Index workers fed at one pace must not all write a full segment out at once (the
    run's memory peak): the first segment of a series ends at its own, smaller budget, and
    every later one at the full budget."""
    from whoosh import index as whoosh_index

    from search.article import Article
    from search.indexing.parallel import SegmentSeries, staggered_budget
    from search.indexing.schema import article_to_document, build_schema

    words = [
        "harbour",
        "council",
        "ferry",
        "budget",
        "minister",
        "election",
        "court",
        "river",
        "school",
    ]
    docs = [
        article_to_document(
            Article(id=f"a{n}", title=f"{words[n % 9]} report {n}", body=" ".join(words) * 20)
        )
        for n in range(400)
    ]
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    budget = 60_000
    series = SegmentSeries(ix, budget, first_budget=budget // 2)
    for doc in docs:
        series.add(doc)
    counts = [segment.doc_count_all() for segment in series.finish()]
    assert len(counts) >= 3 and sum(counts) == len(docs)
    full = counts[1]
    assert full > 1.5 * counts[0] and counts[-2] == full  # the first half as long
    assert staggered_budget(0, 2) < staggered_budget(1, 2) == staggered_budget(0, 1)
