"""What a search's arguments may be, checked the same whatever backend answers them.

``SearchEngine`` checks every call with these, and the web layer checks the parameters of
a streamed export with them before its first byte goes out. They name the API's facets,
sorts and limits, nothing of Whoosh, so a second backend behind ``search.NewsIndex``
(``docs/scale-out.md``) uses them as they are, and the web layer needs no engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from search.errors import BadParameter
from search.searching.facets import FACETS
from search.searching.parser import DATE_FIELD, FIELD_SYNONYMS
from search.settings import Settings

#: The facets a search counts and filters on, in the order they are shown.
FACET_NAMES = tuple(FACETS)
SORTS = ("relevance", "newest", "oldest")
FACET_MODES = ("stories", "copies")
Filters = dict[str, list[str]]
#: Other names for the facets, as the query language reads them (``author`` → ``authors``).
FACET_SYNONYMS = {name: facet for name, facet in FIELD_SYNONYMS.items() if facet in FACETS}


def facet_name(name: str) -> str:
    """The facet a filter or facet name means (``Author`` → ``authors``), else ``name``."""
    folded = name.strip().lower()
    return FACET_SYNONYMS.get(folded, folded)


def check_filters(filters: Mapping[str, Sequence[str] | str] | None) -> Filters:
    """Filters as ``{facet: [values]}``; a bare string is one value. Unknown names refused.

    Beside the facets, ``published`` takes date ranges ``FROM..TO`` (``date_range_query``).
    """
    clean: Filters = {}
    if not isinstance(filters, Mapping | None):
        raise BadParameter(f"filters must map facet names to values, not {filters!r}")
    for typed, values in (filters or {}).items():
        name = facet_name(typed) if isinstance(typed, str) else typed
        if name not in FACETS and name != DATE_FIELD:
            known = ", ".join([*FACETS, DATE_FIELD])
            raise BadParameter(f"unknown filter field {typed!r}: use one of {known}")
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, Sequence) or not all(isinstance(v, str) for v in values):
            raise BadParameter(f"filter {name} takes text values, not {values!r}")
        values = [v.strip() for v in values if v.strip()]
        if name in FACETS:
            for value in values:
                FACETS[name].check(value)
        if values:
            clean[name] = list(dict.fromkeys([*clean.get(name, []), *values]))
    return clean


def check_facets(facets: Sequence[str] | None) -> list[str]:
    if facets is None:
        return list(FACETS)
    if isinstance(facets, str):
        facets = [facets]
    if not isinstance(facets, Sequence) or not all(isinstance(name, str) for name in facets):
        raise BadParameter(f"facets must be facet names, not {facets!r}")
    names = []
    for typed in facets:
        name = facet_name(typed)
        if name not in FACETS:
            raise BadParameter(f"unknown facet {typed!r}: use one of {', '.join(FACETS)}")
        names.append(name)
    return list(dict.fromkeys(names))


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_range(name: str, value: Any, low: int, high: int) -> int:
    """``value`` as a whole number from ``low`` to ``high``, else ``BadParameter``."""
    if not _whole(value) or not low <= value <= high:
        raise BadParameter(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def check_paging(page: Any, per_page: Any, settings: Settings) -> tuple[int, int]:
    window = settings.max_result_window
    check_range("per_page", per_page, 1, settings.max_per_page)
    if not _whole(page) or page < 1:
        raise BadParameter(f"page must be a whole number from 1, not {page!r}")
    if page * per_page > window:
        raise BadParameter(
            f"page {page} is too deep: results stop at {window:,} "
            f"(page {window // per_page} with per_page={per_page}); narrow the search"
        )
    return page, per_page


def check_choice(name: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise BadParameter(f"unknown {name} {value!r}: use one of {', '.join(choices)}")
    return value


def toggled(filters: Filters, name: str, value: str, selected: bool) -> Filters:
    """The filters after clicking ``value`` of facet ``name`` (select or deselect it)."""
    result = {k: list(v) for k, v in filters.items()}
    values = result.get(name, [])
    values = (
        [v for v in values if v.casefold() != value.casefold()] if selected else [*values, value]
    )
    if values:
        result[name] = values
    else:
        result.pop(name, None)
    return result
