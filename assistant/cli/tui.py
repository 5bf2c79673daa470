"""``okr tui``: the interactive app (Textual is imported only when the command runs)."""

from __future__ import annotations

import sys

import click

from assistant.errors import UsageError


@click.command("tui")
@click.argument("target", required=False, metavar="[FILE | DRAFT]")
@click.option(
    "--engine",
    type=click.Choice(["rules", "llm", "auto"]),
    default=None,
    help="Coach engine for this session (default: the config file's).",
)
@click.option("--model", help="LLM model for this session (overrides the config file).")
def tui_command(target: str | None, engine: str | None, model: str | None) -> None:
    """Refine a draft interactively: type OKRs with live rule hints, ask the
    coach, accept or dismiss each suggestion, and watch the scores rise across
    saved versions.

    FILE is imported as a draft first (a new version only if it changed);
    DRAFT opens a draft already in the store. Without either, the list of
    drafts opens.

    \b
    Examples:
      okr tui                        # the list of drafts
      okr tui "Platform team"        # open a stored draft
      okr tui okrs.yaml              # import the file, then open it
      okr tui plan --engine rules    # offline coaching for this session

    \b
    Keys: ctrl+s save · ctrl+g ask the coach · ctrl+n add a key result ·
    alt+up/down move · ctrl+r history · ctrl+p command palette · ctrl+q quit
    """
    from assistant.cli.core import app, run
    from assistant.paths import ensure_home

    core = app()  # the process's App: this session's settings are its settings
    ensure_home(core.home)
    if engine:
        core.settings.engine = engine  # type: ignore[assignment]
    if model:
        core.settings.llm.model = model
    draft = run(core.open_target(target)) if target else None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # else it draws into a pipe forever
        raise UsageError("okr tui needs a terminal; in scripts use okr critique, save or status")

    from assistant.llm.call_log import logging_to
    from tui.app import create_app

    with logging_to(core.call_log(), "tui"):  # the session's LLM requests, for `okr logs`
        create_app(core, target=draft).run()


def register(group: click.Group) -> None:
    group.add_command(tui_command)
