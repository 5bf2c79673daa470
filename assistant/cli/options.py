"""What several commands' options share: ``-o FILE`` is checked while the command line is
read, so a missing folder is one line (exit 2) before a cycle is graded, a review stored
or an LLM paid for — not after."""

from __future__ import annotations

import click


def checked_output(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of ``-o/--output``: the file's folder must exist (see
    ``assistant.paths.check_output``); okr never creates it silently."""
    if value is not None:
        from assistant.paths import check_output

        check_output(value)
    return value
