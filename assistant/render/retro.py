"""``okr retro`` (text, Markdown, JSON) and what ``okr launch`` says; pure functions.

Notes and summaries come from people and models: cleaned of control characters and
placed in Rich ``Text`` (never markup) or escaped for Markdown.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.domain.cycle_status import LaunchOutcome
from assistant.domain.lessons import Retro
from assistant.domain.plural import counted
from assistant.render.status import clean, console_buffer, grade_text, status_json, styled
from assistant.render.status_markdown import md_cell

RETRO_FORMATS = ("text", "markdown", "json")
_SECTIONS = (
    ("went_well", "What went well"),
    ("did_not", "What did not"),
    ("change", "What changes"),
)


def retro_json(retro: Retro) -> dict[str, Any]:
    status = status_json(retro.status)
    return {
        "version": 1,
        "draft": status["draft"],
        "cycle": status["cycle"],
        "grade": retro.status.grade,
        "went_well": list(retro.notes.went_well),
        "did_not": list(retro.notes.did_not),
        "change": list(retro.notes.change),
        "lessons": [lesson.as_json() for lesson in retro.lessons],
        "engine": retro.engine,
        "summary": retro.summary,
        "author": retro.author,
        "created_at": retro.created_at,
    }


def retro_text(retro: Retro, *, color: bool = False, width: int | None = None) -> str:
    from rich.text import Text

    console, buffer = console_buffer(color, width)
    c = retro.status.cycle
    console.print(
        styled(
            f"Retrospective · {c.draft} · {c.label} · grade {grade_text(retro.status.grade)}",
            "bold",
        )
    )
    for key, title in _SECTIONS:
        items = getattr(retro.notes, key)
        if items:
            console.print(styled(title, "bold"))
            for item in items:
                console.print(Text.assemble("  • ", clean(item)))
    console.print(styled("Lessons from the cycle", "bold"))
    if not retro.lessons:
        console.print(styled("  none: grades, confidence and commitments held up", "dim"))
    for lesson in retro.lessons:
        console.print(
            Text.assemble("  ", (clean(lesson.code), "cyan"), "  ", clean(lesson.message))
        )
    if retro.summary:
        console.print(styled("Summary (llm)", "bold"))
        console.print(Text.assemble("  ", clean(retro.summary)))
    console.print(
        styled(
            "The next draft of this name is critiqued with these lessons (LESSON-… findings).",
            "dim",
        )
    )
    return buffer.getvalue()


def retro_markdown(retro: Retro) -> str:
    c = retro.status.cycle
    lines = [
        f"# Retrospective — {md_cell(c.draft)} {md_cell(c.label)}",
        "",
        f"Grade **{grade_text(retro.status.grade)}** · {c.start} → {c.end}",
        "",
    ]
    for key, title in _SECTIONS:
        items = getattr(retro.notes, key)
        if items:
            lines += [f"## {title}", "", *[f"- {md_cell(item)}" for item in items], ""]
    lines += ["## Lessons from the cycle", ""]
    lines += [f"- **{lesson.code}** {md_cell(lesson.message)}" for lesson in retro.lessons] or [
        "- none"
    ]
    if retro.summary:
        lines += ["", "## Summary", "", md_cell(retro.summary)]
    return "\n".join(lines) + "\n"


def render_retro(retro: Retro, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(retro_json(retro), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return retro_markdown(retro)
    return retro_text(retro, color=color)


def launch_text(outcome: LaunchOutcome, means: str, *, color: bool = False) -> str:
    """Launched: the cycle and what launching means; refused: the findings that block it."""
    from rich.text import Text

    console, buffer = console_buffer(color, None)
    if outcome.refused:
        console.print(
            styled(
                f"Not launched: {outcome.draft}@{outcome.version} scores {outcome.overall}/100, "
                f"below --fail-under {outcome.fail_under}.",
                "bold red",
            )
        )
        if outcome.findings:
            console.print(
                styled("Blocking findings (fix them, save a version, launch again):", "bold")
            )
        for f in outcome.findings:
            console.print(
                Text.assemble(
                    f"  {f.target:<8} ",
                    (f"{f.severity:<8} ", "yellow"),
                    (f.code, "bold"),
                    "  ",
                    clean(f.message),
                )
            )
        return buffer.getvalue()
    cycle, plan = outcome.cycle, outcome.plan
    assert cycle is not None and plan is not None
    console.print(
        styled(
            f"Launched {outcome.draft}@{outcome.version} for {cycle.label} "
            f"({cycle.start} → {cycle.end}); score {outcome.overall}/100.",
            "bold green",
        )
    )
    fraction = [t.id for t in plan.tracks if t.mode == "fraction"]
    console.print(
        styled(f"{counted(len(plan.tracks), 'key result')} tracked; " + (
            f"{', '.join(fraction)} only as a fraction 0–1 / done (no baseline and target to read)."
            if fraction
            else "each from its baseline to its target."
        ))
    )  # fmt: skip
    console.print(styled(means, "dim"))
    return buffer.getvalue()
