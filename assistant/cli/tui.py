"""``okr tui``: the interactive app (Textual is imported only when the command runs)."""

from __future__ import annotations

import click


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
    Keys: ctrl+s save · ctrl+g ask the coach · ctrl+n add a key result ·
    alt+up/down move · ctrl+r history · ctrl+p command palette · ctrl+q quit
    """
    from assistant.config import load_settings
    from assistant.paths import ensure_home

    home = ensure_home()
    settings = load_settings()
    if engine:
        settings.engine = engine  # type: ignore[assignment]
    if model:
        settings.llm.model = model

    from tui.app import create_app, resolve_target

    draft = resolve_target(home, target) if target else None
    create_app(home, settings=settings, target=draft).run()


def register(group: click.Group) -> None:
    group.add_command(tui_command)
