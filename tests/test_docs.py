"""Every command teaches its use: --help with an example, and a mention in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_help_has_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"newsindex {command}" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_is_in_the_readme(command):
    assert f"newsindex {command}" in README


def _architecture_block() -> str:
    start = README.index("## Architecture")
    return README[README.index("```", start) : README.index("```\n\n", start)]


def test_architecture_lists_every_module_of_the_package():
    """The README's tree is drawn from ``search/`` and ``web/``: each module named, none that
    is gone."""
    block = _architecture_block()
    root = Path(__file__).resolve().parents[1]
    package, web = root / "search", root / "web"
    for path in sorted([*package.rglob("*.py"), *web.rglob("*.py")]):
        named_init = path.parent in (package / "extract", web)
        if path.name == "__main__.py" or (path.name == "__init__.py" and not named_init):
            continue
        assert path.name in block, f"README architecture does not name {path.relative_to(root)}"
    for name in re.findall(r"\b(\w+)\.py\b", block):
        found = [*package.rglob(f"{name}.py"), *web.rglob(f"{name}.py")]
        assert found, f"README names {name}.py, which does not exist"


@pytest.mark.parametrize("name", [name for name, _default, _help in Settings.table()])
def test_every_setting_is_in_the_readme_table(name):
    assert f"| `{name}` |" in README


def _imports(package: Path) -> dict[str, set[str]]:
    """Each module of ``search`` and the ``search`` modules it imports (anywhere in it)."""
    graph: dict[str, set[str]] = {}
    root = package.parent
    for path in package.rglob("*.py"):
        name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        deps = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("search"):
                deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("search"))
    return graph


def test_package_has_no_import_cycles():
    graph = _imports(Path(__file__).resolve().parents[1] / "search")
    cycles = []

    def visit(name: str, path: list[str]) -> None:
        for dep in sorted(graph.get(name, ())):
            if dep in path:
                cycles.append(" -> ".join([*path[path.index(dep) :], dep]))
            elif dep not in done:
                done.add(dep)
                visit(dep, [*path, dep])

    for module in sorted(graph):
        done: set[str] = {module}
        visit(module, [module])
    assert cycles == []


def test_every_file_the_docs_and_comments_name_exists():
    """README, docstrings and comments name only files that are there (outputs aside)."""
    root = Path(__file__).resolve().parents[1]
    texts = [root / "README.md", *root.glob("search/**/*.py"), *root.glob("bench/*.py")]
    named = re.compile(r"\b(?:search|bench|tests|docs|web)/[\w/]+\.(?:py|json|csv|md)\b")
    missing = {
        f"{path.relative_to(root)}: {name}"
        for path in texts
        for name in named.findall(path.read_text("utf-8"))
        if not name.startswith("bench/out/") and not (root / name).exists()
    }
    assert missing == set()
