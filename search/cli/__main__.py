"""``python -m search.cli``: the same as the ``newsindex`` command."""

from search.cli.commands import cli

cli()
