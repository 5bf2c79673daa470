"""What every drafts command shares: the console, the drafts service (imported on
use, so ``okr --help`` never loads the store), JSON output and small formatters."""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.model import Scores

DIMENSIONS = ("clarity", "measurability", "ambition")


def new_console() -> Console:
    from assistant.render.safe import safe_console

    return safe_console(highlight=False, soft_wrap=False)


def service() -> ModuleType:
    """``assistant.services.drafts``, imported when a command runs."""
    from assistant.services import drafts

    return drafts


def emit_json(data: Any) -> None:
    from assistant.domain.text_safety import dumps

    click.echo(dumps(data, ensure_ascii=False, indent=2))


def split_ref(ref: str) -> tuple[str, int | None]:
    name, number = service().parse_ref(ref)
    return name, number


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
