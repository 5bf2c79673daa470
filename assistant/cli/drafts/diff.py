"""``okr diff``: what changed between two versions, drawn by ``assistant.render.diff``."""

from __future__ import annotations

import click

from assistant.cli.drafts.common import app, emit_json, new_console, run


@click.command("diff", short_help="Show what changed between two versions, with score deltas.")
@click.argument("name", metavar="NAME")
@click.argument("v1", type=click.IntRange(1), metavar="V1")
@click.argument("v2", type=click.IntRange(1), metavar="[V2]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def diff_command(name: str, v1: int, v2: int | None, as_json: bool) -> None:
    """Show what changed from version V1 to V2 (default: the latest).

    Objectives and key results are matched by their text, so an edited KR shows
    as a change (- old, + new) with the score change per dimension, even when
    others were added or removed around it. Scores use the current rubric.

    \b
    Examples:
      okr diff "Platform team" 1 4
      okr diff growth 3              changes since v3
      okr diff growth 1 2 --json
    """
    result = run(app().diff(name, v1, v2))
    if as_json:
        emit_json({"version": 1, **result.model_dump(mode="json")})
        return
    from assistant.render.diff import diff_renderable

    new_console().print(diff_renderable(result))
