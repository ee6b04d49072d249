"""The app's ``NewsIndex``: one per process, opened on first use (flaskr's ``db.py`` shape).

Each gunicorn worker is its own process with its own index object, which notices a rebuild
or an ``add`` by itself (the library watches the manifest), so nothing here restarts.
Opening lazily, never at import, keeps a forking server from sharing one across workers.
"""

from __future__ import annotations

import threading
from dataclasses import fields
from typing import Any

from flask import Flask, current_app

from search import NewsIndex, Settings


class IndexHolder:
    """Opens the index once, on the first request that needs it."""

    def __init__(self, path: str | None, settings: Settings) -> None:
        self.path = path
        self.settings = settings
        self._news: NewsIndex | None = None
        self._lock = threading.Lock()

    def get(self) -> NewsIndex:
        if self._news is None:
            with self._lock:
                if self._news is None:
                    self._news = NewsIndex.open(self.path, self.settings)
        return self._news

    def close(self) -> None:
        with self._lock:
            if self._news is not None:
                self._news.close()
                self._news = None


def library_settings(config: dict[str, Any]) -> Settings:
    """The library's settings named in the app's config (``MAX_PER_PAGE`` → ``max_per_page``);
    the library reads ``NEWSINDEX_*`` variables for the rest itself."""
    names = {f.name for f in fields(Settings)}
    return Settings.load(
        {key.lower(): value for key, value in config.items() if key.lower() in names}
    )


def init_app(app: Flask) -> None:
    """Give the app its index holder; settings are checked now, so a typo fails at start."""
    index = app.config["INDEX"]
    app.extensions["newsindex"] = IndexHolder(
        str(index) if index else None, library_settings(app.config)
    )


def get_news() -> NewsIndex:
    """The index of the app serving this request."""
    return current_app.extensions["newsindex"].get()


def settings() -> Settings:
    return current_app.extensions["newsindex"].settings
