"""``okr status`` / ``okr grade`` as Markdown: a heading per objective, a table of KRs.

Cells are cleaned of control characters and Markdown/HTML markup is escaped, so text
from the store cannot open a link, a tag or a table column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from assistant.domain.cycle import FLAG_TEXT
from assistant.domain.cycle_status import CycleStatus
from assistant.render.status import (
    CALIBRATION_ABOUT,
    CALIBRATION_NONE,
    CALIBRATION_TITLE,
    bar,
    calibration_score,
    clean,
    counts,
    grade_text,
    headline,
    journey,
    pct,
    stale_line,
    trend,
)

if TYPE_CHECKING:
    from assistant.domain.calibration import Calibration


def md_cell(text: str) -> str:
    """A table cell: clean, pipes and markup characters escaped."""
    return re.sub(r"([\\|*_`<>\[\]])", r"\\\1", clean(text))


def status_markdown(status: CycleStatus, calibration: Calibration | None = None) -> str:
    graded = status.cycle.state == "graded"
    lines = [
        f"# {md_cell(status.cycle.draft)} — {md_cell(status.cycle.label)}",
        "",
        md_cell(headline(status)),
        "",
    ]
    for objective in status.objectives:
        extra = f" · grade **{grade_text(objective.grade)}**" if graded else ""
        lines += [
            f"## {objective.id} {md_cell(objective.title)}",
            "",
            f"Progress {pct(objective.progress)} · {objective.status}{extra}"
            + "".join(f" · ⚑ {FLAG_TEXT.get(f, f)}" for f in objective.flags),
            "",
            "| KR | key result | baseline → now → target | progress | expected | confidence | "
            + ("grade |" if graded else "status |"),
            "|---|---|---|---|---|---|---|",
        ]
        for kr in status.key_results:
            if kr.track.objective != objective.id:
                continue
            conf = (
                "–"
                if kr.confidence is None
                else f"{kr.confidence}/10 {trend(kr.confidence_trend)}".strip()
            )
            if graded:
                last = grade_text(kr.grade) + "".join(f" ⚑ {FLAG_TEXT.get(f, f)}" for f in kr.flags)
            else:
                last = kr.status + (" (stale)" if kr.stale else "")
            lines.append(
                f"| {kr.track.id} | {md_cell(kr.track.text)} | {md_cell(journey(kr))} | "
                f"`{bar(kr.progress)}` {pct(kr.progress)} | {pct(kr.expected)} | {conf} | {last} |"
            )
        lines.append("")
    total = f"grade **{grade_text(status.grade)}**" if graded else status.status
    lines.append(f"**Set**: progress {pct(status.progress)} · {total}")
    note = stale_line(status)
    if note and not graded:
        lines += ["", f"> {note}"]
    if calibration is not None:
        lines += ["", *_calibration(calibration)]
    return "\n".join(lines) + "\n"


def _calibration(calibration: Calibration) -> list[str]:
    lines = [f"## {CALIBRATION_TITLE}", ""]
    if not calibration.groups:
        return [*lines, CALIBRATION_NONE]
    lines += [
        "| owner | verdict | mean confidence | came true | score |",
        "|---|---|---|---|---|",
    ]
    for g in calibration.groups:
        lines.append(
            f"| {md_cell(g.name)} | {g.verdict} | {g.confidence * 10:.1f}/10 | {g.success:.0%} "
            f"| {calibration_score(g)} |"
        )
    return [*lines, "", CALIBRATION_ABOUT]


def team_markdown(statuses: Sequence[CycleStatus], today: date) -> str:
    lines = [f"# Open cycles as of {today}", ""]
    if not statuses:
        return "\n".join([*lines, "No open cycles.", ""])
    lines += [
        "| draft | cycle | progress | expected | on | at risk | off | no data | stale | status |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in statuses:
        n = counts(s)
        expected_now = s.key_results[0].expected_now if s.key_results else None
        lines.append(
            f"| {md_cell(s.cycle.draft)} | {md_cell(s.cycle.label)} | {pct(s.progress)} | {pct(expected_now)}"
            f" | {n['on-track']} | {n['at-risk']} | {n['off-track']} | {n['no-data']}"
            f" | {len(s.stale)} | {s.status} |"
        )
    return "\n".join(lines) + "\n"
