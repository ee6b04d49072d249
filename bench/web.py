"""HTTP load: ``newsindex serve`` beside Datasette 0.65.5 over SQLite FTS5, from one run.

wrk (Debian's package) drives each server over loopback: 16 connections, 20 s, a thousand
distinct one- and two-word queries taken from AllSides titles, each request the next query
(so no cache carries the load). Three loads, one after the other:

- ours, ``/api/search?q=…``: the default page (10 stories) with every default facet;
- ours, ``/?q=…``: the search page (the same search, the coverage chart, the HTML);
- Datasette, ``/articles/articles.json?_search=…``: the same articles in one table with an
  FTS5 index (porter unicode61), 10 rows, the same seven facets (``_facet`` and
  ``_facet_array``) at 10 values each, counted exactly (time limits raised), facet
  suggestions off, the database opened immutable; then again without the two list facets.

Both indexes are built once into ``bench/out/web/`` (``--rebuild`` forces it); Datasette is
installed into its own virtualenv there (it pins other versions of our dependencies).
Printed: requests/s, p50 and p99 latency, errors (socket errors and non-2xx answers), the
server's CPU time per request (its processes' user + system time over the run: what the
machine's other load disturbs least), and our ratios to Datasette. The machine is shared:
read the ratios.

    python bench/web.py [--seconds 20] [--connections 16] [--workers N] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from corpus_loaders import ALLSIDES_FILE, allsides_articles  # noqa: E402
from whoosh.analysis.analyzers import STOP_WORDS  # noqa: E402

from search import NewsIndex  # noqa: E402

OUT = ROOT / "bench" / "out" / "web"
DATASETTE = "datasette==0.65.5"
FACETS = ["agency", "publisher", "dateline", "topics", "authors", "year", "month"]
ARRAY_FACETS = {"topics", "authors"}
QUERIES = 1000
SEED = 12
#: The Datasette database's table layout; a database of another layout is built again.
SQLITE_LAYOUT = 2
#: Requests sent one by one before each measurement (from the end of the list).
WARMUP_REQUESTS = 10
_WORD = re.compile(r"[A-Za-z]{3,}")

#: wrk script: each request the next path of the list; at the end one JSON line of figures.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(offset + counter) % #paths + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
    '"socket_errors": %d, "non_2xx": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


# -- the two indexes ---------------------------------------------------------------------------


def build(rebuild: bool) -> tuple[Path, Path, dict]:
    """Our index of AllSides and a Datasette database of the very same articles (built
    again alone when an older run left it in another layout)."""
    index, database, notes = OUT / "newsindex", OUT / "articles.db", OUT / "builds.json"
    if rebuild or not notes.exists():
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        started = time.perf_counter()
        NewsIndex(index).rebuild(allsides_articles(), workers=os.cpu_count() or 1)
        notes.write_text(json.dumps({"newsindex_s": time.perf_counter() - started}))
    built = json.loads(notes.read_text())
    if built.get("sqlite_layout") != SQLITE_LAYOUT:
        database.unlink(missing_ok=True)
        started = time.perf_counter()
        with NewsIndex.open(index) as news:
            built["articles"] = build_sqlite(news.export(""), database)
        built["sqlite_s"] = time.perf_counter() - started
        built["sqlite_layout"] = SQLITE_LAYOUT
        notes.write_text(json.dumps(built))
    return index, database, built


def build_sqlite(articles, path: Path) -> int:
    """One table with the facet columns (arrays as JSON) and an FTS5 index Datasette finds.

    The long body is the last column: SQLite reaches a column stored after it only by
    walking the body's overflow pages, which doubled the cost of every facet query.
    """
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT, published TEXT, year TEXT,
            month TEXT, dateline TEXT, agency TEXT, publisher TEXT, topics TEXT, authors TEXT,
            url TEXT, body TEXT);
        CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content="articles",
            tokenize='porter unicode61');
        """
    )
    count = 0
    with db:
        for a in articles:
            day = (a.published or "")[:10]
            db.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    a.id,
                    a.title,
                    a.published,
                    day[:4] or None,
                    day[:7] if len(day) >= 7 else None,
                    a.dateline,
                    a.agency,
                    a.publisher,
                    json.dumps(a.topics),
                    json.dumps(a.authors),
                    a.url,
                    a.body,
                ),
            )
            count += 1
        db.execute(
            "INSERT INTO articles_fts(rowid, title, body) SELECT rowid, title, body FROM articles"
        )
        for column in ("year", "month", "dateline", "agency", "publisher"):
            db.execute(f"CREATE INDEX articles_{column} ON articles({column})")
        db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    db.execute("VACUUM")
    db.close()
    return count


def title_queries(path: Path, count: int, seed: int) -> list[str]:
    """Distinct one- and two-word queries from AllSides titles (stop words left out)."""
    with sqlite3.connect(path) as db:
        titles = [row[0] for row in db.execute("SELECT title FROM articles ORDER BY id")]
    rng = random.Random(seed)
    queries: dict[str, None] = {}
    while len(queries) < count:
        words = [w.lower() for w in _WORD.findall(rng.choice(titles))]
        words = [w for w in words if w not in STOP_WORDS]
        if words:
            size = min(len(words), rng.choice((1, 2)))
            start = rng.randrange(len(words) - size + 1)
            queries[" ".join(words[start : start + size])] = None
    return list(queries)


# -- servers and load --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def datasette_command() -> list[str]:
    venv = OUT / "datasette-venv"
    binary = venv / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, DATASETTE], check=True, env=outside_env())
    return [str(binary)]


def outside_env() -> dict:
    """The environment without our PYTHONPATH: Datasette sees only its own virtualenv."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def start(command: list[str], url: str, env: dict | None = None) -> subprocess.Popen:
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30):
                return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(f"server did not start: {' '.join(command)}") from None
            time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a server process and its children (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def wrk(base: str, paths: list[str], seconds: int, connections: int, pid: int) -> dict:
    """Warm up with a few requests one at a time (a queue left by a concurrent warm-up
    would still be running when the measurement starts), then measure."""
    paths_file, script = OUT / "paths.txt", OUT / "load.lua"
    paths_file.write_text("\n".join(paths) + "\n")
    script.write_text(WRK_SCRIPT)
    for path in paths[-WARMUP_REQUESTS:]:
        with urllib.request.urlopen(base + path, timeout=120) as answer:
            answer.read()
    env = {**os.environ, "WRK_PATHS": str(paths_file)}
    threads = min(2, connections)
    common = ["wrk", "-t", str(threads), "-c", str(connections), "-s", str(script)]
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(
        [*common, "-d", f"{seconds}s", "--timeout", "10s", base],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = json.loads(next(line[4:] for line in out.splitlines() if line.startswith("WRK ")))
    figures["rps"] = figures["requests"] / max(figures["seconds"], 1e-9)
    figures["cpu_ms"] = (cpu_seconds(pid) - cpu_before) * 1000 / max(figures["requests"], 1)
    figures["errors"] = figures["socket_errors"] + figures["non_2xx"]
    return figures


def our_paths(queries: list[str], page: bool) -> list[str]:
    prefix = "/?" if page else "/api/search?"
    return [prefix + urllib.parse.urlencode({"q": q}) for q in queries]


def datasette_paths(queries: list[str], arrays: bool = True) -> list[str]:
    """Datasette's table JSON for each query; ``arrays=False`` leaves out the two list
    facets (topics, authors: ``json_each`` per row), Datasette's best case."""
    facets = [
        ("_facet_array" if f in ARRAY_FACETS else "_facet", f)
        for f in FACETS
        if arrays or f not in ARRAY_FACETS
    ]
    return [
        "/articles/articles.json?"
        + urllib.parse.urlencode([("_search", q), ("_size", "10"), *facets, ("_shape", "objects")])
        for q in queries
    ]


def line(label: str, f: dict) -> str:
    return (
        f"  {label:<34} {f['rps']:8.1f} req/s   p50 {f['p50_ms']:7.1f} ms   "
        f"p99 {f['p99_ms']:7.1f} ms   errors {f['errors']}   server CPU {f['cpu_ms']:6.1f} ms/req"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (cores)")
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if not ALLSIDES_FILE.exists():
        sys.exit(f"corpus missing: {ALLSIDES_FILE}")
    if shutil.which("wrk") is None:
        sys.exit("wrk missing: apt-get install -y wrk")
    index, database, notes = build(args.rebuild)
    queries = title_queries(database, args.queries, SEED)
    ours_port, theirs_port = free_port(), free_port()
    ours_base, theirs_base = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{theirs_port}"
    serve = [sys.executable, "-c", "from search.cli import cli; cli()", "serve"]
    serve += ["--port", str(ours_port), "--index", str(index)]
    serve += ["--workers", str(args.workers)] if args.workers else []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results = {}
    server = start(serve, f"{ours_base}/healthz", env)
    try:
        load = (args.seconds, args.connections, server.pid)
        results["ours_api"] = wrk(ours_base, our_paths(queries, False), *load)
        results["ours_page"] = wrk(ours_base, our_paths(queries, True), *load)
    finally:
        stop(server)
    settings = [
        *("--setting", "suggest_facets", "off"),
        *("--setting", "default_facet_size", "10"),
        *("--setting", "facet_time_limit_ms", "60000"),
        *("--setting", "sql_time_limit_ms", "60000"),
    ]
    command = [*datasette_command(), "serve", "-i", str(database), "-p", str(theirs_port)]
    server = start([*command, *settings], f"{theirs_base}/-/versions.json", outside_env())
    try:
        load = (args.seconds, args.connections, server.pid)
        results["datasette"] = wrk(theirs_base, datasette_paths(queries), *load)
        results["datasette_5"] = wrk(theirs_base, datasette_paths(queries, False), *load)
    finally:
        stop(server)

    print(
        f"AllSides: {notes['articles']:,} articles, {len(queries):,} distinct queries, "
        f"{args.connections} connections, {args.seconds} s each, wrk over loopback, "
        f"{os.cpu_count()} cores"
    )
    print(line("newsindex  /api/search (7 facets)", results["ours_api"]))
    print(line("newsindex  / (the page, chart)", results["ours_page"]))
    print(line(f"{DATASETTE} FTS5 (7 facets)", results["datasette"]))
    print(line("  the same without the 2 list facets", results["datasette_5"]))
    api, page = results["ours_api"], results["ours_page"]
    for label, base in (("7 facets", results["datasette"]), ("5 facets", results["datasette_5"])):
        print(
            f"  ratio: API {api['rps'] / max(base['rps'], 1e-9):.2f}x Datasette's requests/s "
            f"({label}), p99 {api['p99_ms'] / max(base['p99_ms'], 1e-9):.2f}x, "
            f"server CPU per request {api['cpu_ms'] / max(base['cpu_ms'], 1e-9):.2f}x"
        )
    print(f"  page/API requests/s {page['rps'] / api['rps']:.2f}")
    (OUT / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
