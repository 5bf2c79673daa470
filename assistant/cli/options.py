"""What several commands' options share: ``-o FILE`` is checked while the command line is
read, so a missing folder is one line (exit 2) before a cycle is graded, a review stored
or an LLM paid for — not after; ``--date``-like options are read as dates there too;
and where a command's rendered text then goes (:func:`emit`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import click

FC = TypeVar("FC", bound=Callable[..., object])


def output_option(help: str) -> Callable[[FC], FC]:
    """``-o/--output FILE`` (checked by :func:`checked_output`), with ``help``."""
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=False), callback=checked_output, help=help
    )


def checked_output(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback of ``-o/--output``: the file's folder must exist (see
    ``assistant.paths.check_output``); okr never creates it silently."""
    if value is not None:
        from assistant.paths import check_output

        check_output(value)
    return value


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Click callback of a date option (``--date``, ``--start``, ``--as-of``): YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


def wants_color(color: bool | None, output: str | None = None) -> bool:
    """``--color/--no-color`` as asked, else colours only on a terminal and never into
    ``-o FILE``."""
    import sys

    return color if color is not None else (sys.stdout.isatty() and output is None)


def emit(text: str, output: str | None, *, color: bool = False) -> None:
    """Write a command's text to ``-o FILE`` (said on stderr) or stdout. The text is made
    safe on a terminal by its renderer or caller (user text escaped, the renderer's own
    colour codes kept); ``color``: it holds codes the user asked for, kept even in a pipe."""
    if output:
        from assistant.paths import write_output

        write_output(output, text)  # the umask's mode; a missing folder is one line, exit 2
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False, color=color or None)
