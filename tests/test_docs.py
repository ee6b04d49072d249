"""Every command teaches its use: --help with an example, and a mention in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_help_has_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"newsindex {command}" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_command_is_in_the_readme(command):
    assert f"newsindex {command}" in README
