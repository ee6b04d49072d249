"""The ``newsindex`` command: click commands (``commands``) and terminal rendering (``render``)."""

from search.cli.commands import cli

__all__ = ["cli"]
