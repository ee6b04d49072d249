"""Every command teaches its use: --help with an example, and a mention in the README."""

from __future__ import annotations

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
    """The README's tree is drawn from ``search/``: each module named, none that is gone."""
    block = _architecture_block()
    package = Path(__file__).resolve().parents[1] / "search"
    for path in sorted(package.rglob("*.py")):
        skip_init = path.name == "__init__.py" and path.parent != package / "extract"
        if path.name == "__main__.py" or skip_init:
            continue
        assert path.name in block, f"README architecture does not name {path.relative_to(package)}"
    for name in re.findall(r"\b(\w+)\.py\b", block):
        assert list(package.rglob(f"{name}.py")), f"README names {name}.py, which does not exist"


@pytest.mark.parametrize("name", [name for name, _default, _help in Settings.table()])
def test_every_setting_is_in_the_readme_table(name):
    assert f"| `{name}` |" in README
