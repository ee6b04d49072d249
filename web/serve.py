"""``newsindex serve``: the app on gunicorn, one worker process per core by default.

Each worker builds its own app (no preloading), so each opens its own ``NewsIndex`` and
notices rebuilds and adds by itself. Threads per worker let a long export stream while the
same worker answers searches.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any

from gunicorn.app.base import BaseApplication

from search.errors import BadParameter, NewsIndexError

#: Threads per worker: searches hold the GIL, so a few are enough to keep streams moving.
THREADS = 4
#: gunicorn's own ceiling for a request line; a query longer than that is refused by it.
MAX_REQUEST_LINE = 8190


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class NewsIndexServer(BaseApplication):
    """gunicorn, configured in code and loading ``create_app(config)`` in each worker."""

    def __init__(self, config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web import create_app

        return create_app(self.app_config)


def gunicorn_options(host: str, port: int, workers: int | None) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": THREADS,
        "limit_request_line": MAX_REQUEST_LINE,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "newsindex",
    }


def check_address(host: str, port: int) -> None:
    """``BadParameter`` unless this process can listen on ``host:port``: gunicorn would
    retry for five seconds, log ten errors and exit, after ``serve`` said it was serving."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        reason = error.args[-1] if error.args else error
        raise BadParameter(f"cannot serve on host {host!r}: {reason}") from None
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                why = f"port {port} is in use on {host}: another server has it"
            else:
                why = f"cannot listen on {host}:{port}: {error.strerror or error}"
            raise BadParameter(why) from None


def describe(host: str, port: int, index: str | os.PathLike | None, workers: int | None) -> str:
    """The line ``newsindex serve`` prints: where to point a browser, and what it serves.

    Checks the address and the settings first (a bad one is a ``NewsIndexError``: one
    line, exit 1).
    """
    check_address(host, port)
    from web import create_app
    from web.index import get_news

    app = create_app({"INDEX": str(index)} if index else None)
    with app.app_context():
        news = get_news()
        try:
            what = f"{news.count():,} articles from {news.path}"
        except NewsIndexError as error:
            what = f"no index yet ({error})"
        finally:
            app.extensions["newsindex"].close()  # the workers open their own
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    count = workers or default_workers()
    return (
        f"Serving {what}\n  at http://{shown}:{port}/  "
        f"({count} worker{'s' if count != 1 else ''}; Ctrl-C stops)"
    )


def run(
    host: str = "127.0.0.1",
    port: int = 8080,
    index: str | None = None,
    workers: int | None = None,
    config: dict[str, Any] | None = None,
) -> None:
    """Serve until interrupted; ``config`` is ``create_app``'s mapping (``INDEX`` from
    ``index``)."""
    app_config = dict(config or {})
    if index:
        app_config["INDEX"] = str(index)
    NewsIndexServer(app_config, gunicorn_options(host, port, workers)).run()
