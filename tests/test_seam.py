"""The seam of issue 16: the web layer talks to ``search.NewsIndex`` and to modules that
say what the API is (errors, argument checks, result objects), never to the Whoosh engine
or the indexer, so a second backend behind ``NewsIndex`` needs no change in ``web/``."""

from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
#: What ``web/`` may import from the library: nothing that reads or writes an index.
ABOVE_THE_SEAM = {"search", "search.errors", "search.searching.options", "search.searching.results"}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_web_layer_imports_only_the_api_of_the_library():
    crossing = {
        f"{path.relative_to(WEB.parent)}: {module}"
        for path in sorted(WEB.rglob("*.py"))
        for module in imported_modules(path)
        if (module == "search" or module.startswith(("search.", "whoosh")))
        and module not in ABOVE_THE_SEAM
    }
    assert not crossing, "web/ reaches past NewsIndex: " + ", ".join(sorted(crossing))
