"""What every drafts command shares: the console, the command's ``App`` and the edge
that runs its use cases (imported on use, so ``okr --help`` never loads the store),
JSON output and small formatters."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.app import App
    from assistant.model import Scores

T = TypeVar("T")

DIMENSIONS = ("clarity", "measurability", "ambition")


def new_console() -> Console:
    from assistant.render.safe import safe_console

    return safe_console(highlight=False, soft_wrap=False)


def app() -> App:
    """The command's ``App`` (built once per command by ``assistant.cli.core``)."""
    from assistant.cli import core

    return core.app()


def run(use_case: Coroutine[Any, Any, T]) -> T:
    """Await a use case of the ``App`` from click's synchronous code."""
    from assistant.cli import core

    return core.run(use_case)


def emit_json(data: Any) -> None:
    from assistant.domain.text_safety import dumps

    click.echo(dumps(data, ensure_ascii=False, indent=2))


def split_ref(ref: str) -> tuple[str, int | None]:
    from assistant.services.drafts.names import parse_ref

    return parse_ref(ref)


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def scores_brief(scores: Scores | None) -> str:
    if scores is None:
        return "–"
    return f"C{scores.clarity} M{scores.measurability} A{scores.ambition}"


def esc(text: str) -> str:
    """User text inside console markup, shown literally."""
    from rich.markup import escape

    return escape(text)


def shell_quote(name: str) -> str:
    import shlex

    return shlex.quote(name)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
