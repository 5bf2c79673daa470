"""The ``okr`` command line. Each command group lives in its own module under
``assistant/cli/`` and exposes ``register(group)``; heavy imports (openai, textual)
happen inside commands so ``okr --help`` and the rules engine start fast."""

from __future__ import annotations

import importlib
import sys

import click

from assistant import __version__
from assistant.errors import OKRError

COMMAND_MODULES: tuple[str, ...] = ("critique", "drafts", "llm", "tui", "review")


class OKRGroup(click.Group):
    """Turns the project's own errors into ``path:line: message`` and an exit code."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except OKRError as exc:
            click.echo(f"okr: {exc}" if not _looks_located(str(exc)) else str(exc), err=True)
            sys.exit(exc.exit_code)


def _looks_located(message: str) -> bool:
    head = message.split(": ", 1)[0]
    return ":" in head or "/" in head or "." in head


@click.group(cls=OKRGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="okr")
def main() -> None:
    """okr-coach: write better OKRs.

    Critiques Objectives and Key Results on clarity, measurability and
    ambition, quoting your own words, asking the questions a good coach
    would, and suggesting rewrites that never invent your numbers.

    \b
    Start here:
      okr init my-okrs.yaml          write a template draft
      okr critique my-okrs.yaml      get coached (offline rules engine)
      okr examples                   learn from good and weak OKRs
      okr rubric / okr explain CODE  what the coach checks, and why
    """


for _name in COMMAND_MODULES:
    importlib.import_module(f"assistant.cli.{_name}").register(main)
