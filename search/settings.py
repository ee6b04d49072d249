"""The tunables a deployer may change, as one table of data (Datasette's ``SETTINGS``).

Every limit that protects a server or shapes a result page is here with its default and a
line of help; code reads ``settings.max_per_page``, never a module constant of its own. The
values come from a mapping (``create_app({...})``, ``NewsIndex.open(path, {...})``) or from
``NEWSINDEX_*`` environment variables, the mapping winning:

>>> Settings.load({"max_per_page": "50"}, environ={"NEWSINDEX_FACET_TIME_LIMIT_MS": "200"})
Settings(max_per_page=50, ..., facet_time_limit_ms=200.0, ...)
>>> Settings.load({"max_per_pgae": 5})
Traceback (most recent call last):
search.errors.BadParameter: unknown setting 'max_per_pgae': did you mean 'max_per_page'?

The README's settings table lists each one (a test checks it).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from search.errors import BadParameter

ENV_PREFIX = "NEWSINDEX_"


def _setting(default: Any, help: str, minimum: float = 0) -> Any:
    return field(default=default, metadata={"help": help, "minimum": minimum})


@dataclass(frozen=True, repr=False)
class Settings:
    """Limits and tunables; build with ``Settings.load(mapping)`` or ``Settings()``."""

    max_per_page: int = _setting(100, "Most results one page may hold.", 1)
    default_per_page: int = _setting(10, "Results per page when a request does not say.", 1)
    max_result_window: int = _setting(
        10_000, "Deepest result a page may reach; deeper paging is a crawler, not a reader.", 1
    )
    default_facet_size: int = _setting(10, "Values a facet lists unless asked for more.", 1)
    max_facet_size: int = _setting(1000, "Most values one facet may list.", 1)
    facet_time_limit_ms: float = _setting(
        500.0,
        "Facets not counted this long after counting began are listed in "
        "facets_timed_out instead (0 counts none).",
    )
    max_query_chars: int = _setting(2000, "Longer queries are refused, not parsed.", 1)
    query_time_limit_ms: float = _setting(
        1000.0,
        "A query still being matched this long after it began is stopped and refused "
        "with QueryTooSlow (0: no limit).",
    )
    max_outlets: int = _setting(25, 'Outlets an "also ran" list names (its count is exact).', 1)
    related_limit: int = _setting(5, "Related stories shown for an article by default.", 1)
    workers: int = _setting(
        0, "Worker processes for a rebuild; 0 means one per core, at most 4.", 0
    )
    write_lock_wait_s: float = _setting(
        60.0,
        "Seconds a write (add, delete, rebuild) waits for another to finish before it "
        "gives up with IndexLocked (0 fails at once).",
    )
    story_window_days: int = _setting(
        7, "Dated copies further apart than this join a story only when near-identical.", 0
    )

    @classmethod
    def load(
        cls, values: Mapping[str, Any] | Settings | None = None, environ: Mapping | None = None
    ) -> Settings:
        """Defaults, then ``NEWSINDEX_*`` variables of ``environ``, then ``values``.

        ``values`` keys may be the setting's name or its variable (``NEWSINDEX_MAX_PER_PAGE``);
        keys for other parts of an application (``NEWSINDEX_INDEX``, Flask's own) are left to
        them when given through ``environ``, refused when given in ``values``.
        """
        if isinstance(values, Settings):
            return values
        environ = os.environ if environ is None else environ
        chosen: dict[str, Any] = {}
        names = {f.name for f in fields(cls)}
        for key, raw in environ.items():
            name = key[len(ENV_PREFIX) :].lower() if key.startswith(ENV_PREFIX) else None
            if name in names:
                chosen[name] = raw
        for key, raw in (values or {}).items():
            name = key[len(ENV_PREFIX) :].lower() if key.startswith(ENV_PREFIX) else key
            if name not in names:
                close = difflib.get_close_matches(name, sorted(names), n=1)
                hint = (
                    f": did you mean {close[0]!r}?"
                    if close
                    else f"; known: {', '.join(sorted(names))}"
                )
                raise BadParameter(f"unknown setting {key!r}{hint}")
            chosen[name] = raw
        return replace(cls(), **{name: _convert(cls, name, raw) for name, raw in chosen.items()})

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in self.to_dict().items())
        return f"Settings({inner})"

    @classmethod
    def table(cls) -> list[tuple[str, Any, str]]:
        """``(name, default, help)`` of every setting, for docs and ``--help``."""
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]


def _convert(cls: type[Settings], name: str, raw: Any) -> Any:
    """A setting's value in its type, from a string (environment) or a number."""
    spec = next(f for f in fields(cls) if f.name == name)
    kind = type(spec.default)
    try:
        if isinstance(raw, bool) or (
            kind is int and isinstance(raw, float) and not raw.is_integer()
        ):
            raise ValueError
        value = kind(raw)
    except (TypeError, ValueError):
        kind_name = "a whole number" if kind is int else "a number"
        raise BadParameter(f"setting {name} must be {kind_name}, not {raw!r}") from None
    if value < spec.metadata["minimum"]:
        raise BadParameter(
            f"setting {name} must be at least {spec.metadata['minimum']}, not {raw!r}"
        )
    return value
