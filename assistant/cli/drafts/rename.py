"""``okr rename``: a draft under a new name, its history kept and its set's ``name:``
following (a new version)."""

from __future__ import annotations

import click

from assistant.cli.drafts.common import app, esc, new_console, run


@click.command("rename", short_help="Rename a draft; its set's name follows.")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--author", metavar="A", help="Who renames it (default: $OKR_AUTHOR or your login).")
def rename_command(old: str, new: str, author: str | None) -> None:
    """Rename draft OLD to NEW, keeping its whole history.

    The set's `name:` follows: a new version "Rename to NEW" holds the set
    under its new name, so the draft and the set never drift apart. NEW must
    be a valid draft name that no other draft (deleted ones included) has.

    \b
    Examples:
      okr rename growth "Growth 2026-Q1"
      okr rename "Old plan" platform-h2 --author Dana
    """
    outcome = run(app().rename(old, new, author=author))
    version = outcome.version
    if outcome.created:
        detail = f"v{version.number}: Rename to {esc(version.draft)}"
    else:
        detail = f"its set was already named '{esc(version.draft)}'"
    new_console().print(f"Renamed '{esc(old)}' to '[bold]{esc(version.draft)}[/]' ({detail}).")
