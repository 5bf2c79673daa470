"""Commands that add a version: ``okr save`` and ``okr restore``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.cli.drafts.common import app, esc, new_console, run, signed
from assistant.domain.commands import okr_command
from assistant.domain.plural import counted
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.domain.drafts import SaveResult


@click.command("save")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--draft",
    "-d",
    "draft",
    metavar="NAME",
    help="Draft to save to (default: the set's name, else the file stem).",
)
@click.option(
    "-m", "--message", required=True, metavar="MSG", help="What changed, like a commit message."
)
@click.option(
    "--author", metavar="A", help="Who made the change (default: $OKR_AUTHOR or your login)."
)
@click.option(
    "--set",
    "set_index",
    type=click.IntRange(1),
    metavar="N",
    help="Which set of a team file to save (1-based).",
)
@click.option(
    "--format-in",
    type=click.Choice(["yaml", "markdown", "md", "json", "csv"]),
    help="Input format when it cannot be told from the file name (stdin).",
)
def save_command(
    file: str,
    draft: str | None,
    message: str,
    author: str | None,
    set_index: int | None,
    format_in: str | None,
) -> None:
    """Save FILE as the next version of a draft.

    Each save appends a version holding the whole OKR set, its critique scores,
    your message and a hash chained to the previous version. A YAML or Markdown
    file's text is kept too (comments and layout; `okr show` prints it). Saving an
    unchanged file adds nothing; changing only a comment is a new version. The
    draft is created on first save.

    \b
    Examples:
      okr save team.yaml -m "First draft"
      okr save team.yaml --draft "Platform 2026-Q1" -m "Add baselines" --author Dana
      okr save okrs.yaml --set 2 -m "Growth team only"
      cat okrs.md | okr save - --draft growth -m "From the wiki"
    """
    from assistant.services.drafts.source_text import read_file

    read = read_file(file, format_in)
    sets = read.sets
    if set_index is None and len(sets) > 1:
        raise UsageError(
            f"{file} holds {len(sets)} sets; pick one with --set N, "
            f"or save each as its own draft with `{okr_command('import', file)}`"
        )
    index = set_index or 1
    if index > len(sets):
        raise UsageError(f"{file} holds {counted(len(sets), 'set')}; there is no set {index}")
    okr_set = sets[index - 1]
    name = draft or okr_set.name or (Path(file).stem if file != "-" else None)
    if not name:
        raise UsageError("reading stdin: name the draft with --draft NAME")
    # The file's text is kept with the version (comments, layout) when it is this set's.
    text = read.text if len(sets) == 1 else None
    outcome = run(
        app().save(name, okr_set, message, author=author, text=text, text_format=read.fmt)
    )
    _report_save(outcome, "Saved")


def _report_save(outcome: SaveResult, verb: str) -> None:
    version = outcome.version
    console = new_console()
    if not outcome.created:
        console.print(
            f"Nothing changed: [bold]{esc(version.draft)}[/] is already at v{version.number} "
            "with this content."
        )
        return
    previous = None
    if version.number > 1:
        older = run(app().history(version.draft, 2))
        previous = older[1].scores if len(older) > 1 else None
    score = ""
    if version.scores is not None:
        score = f" · overall {version.scores.overall}"
        if previous is not None:
            score += f" ({signed(version.scores.overall - previous.overall)})"
    new = " (new draft)" if outcome.new_draft else ""
    console.print(
        f"{verb} [bold]{esc(version.draft)}[/] v{version.number}{new} "
        f"[dim]{version.short_hash}[/]{score}"
    )


@click.command("restore")
@click.argument("name", metavar="NAME")
@click.argument("version", type=click.IntRange(1), metavar="V")
@click.option(
    "-m", "--message", metavar="MSG", help="Message for the new version (default: 'Restore vV')."
)
@click.option("--author", metavar="A", help="Who restores it (default: $OKR_AUTHOR or your login).")
def restore_command(name: str, version: int, message: str | None, author: str | None) -> None:
    """Make version V the latest again, as a NEW version.

    Nothing is lost: the versions after V stay in the history, so you can
    restore them too. Restoring what the latest version already holds adds nothing.

    \b
    Examples:
      okr restore "Platform team" 3
      okr restore growth 2 -m "Back to the simpler KRs"
    """
    outcome = run(app().restore(name, version, message=message, author=author))
    _report_save(outcome, f"Restored v{version} as")
