"""``newsindex serve`` as a user starts it: a real gunicorn on a free loopback port.

Shared by the tests that speak real HTTP to the server (the browser walk, the write routes,
the property tests of the API, serving while cron writes).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    """Return once ``url`` answers 200 (the server is up), else raise after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def serving(
    index: Path, settings: Mapping[str, str] | None = None, workers: int = 1
) -> Iterator[str]:
    """``newsindex serve`` on ``index`` with ``NEWSINDEX_*`` ``settings``; yields its base URL.

    The server's own error log is kept in a file beside the index, and shown if it fails
    to start.
    """
    port = free_port()
    env = {**os.environ, **{f"NEWSINDEX_{k}": v for k, v in (settings or {}).items()}}
    log = index.parent / f"serve-{port}.log"
    command = [sys.executable, "-m", "search.cli", "serve", "--port", str(port)]
    with open(log, "w") as errors:
        server = subprocess.Popen(
            [*command, "--index", str(index), "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(f"{base}/healthz")
        except OSError as exc:
            raise AssertionError(f"newsindex serve did not start: {log.read_text()}") from exc
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
