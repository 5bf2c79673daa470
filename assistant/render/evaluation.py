"""``okr eval`` output: SPEC §12's JSON, or a table per code and one summary line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assistant.domain.plural import counted
from assistant.domain.text_safety import safe_text
from assistant.llm.cost import format_cost

if TYPE_CHECKING:
    from assistant.domain.evaluation import Evaluation


def evaluation_json(evaluation: Evaluation) -> str:
    return json.dumps(evaluation.as_json(), indent=2, ensure_ascii=False) + "\n"


def summary_line(evaluation: Evaluation) -> str:
    """``micro P 0.98 · R 0.97 · F1 0.975 · grounded 100% · …`` in one line."""
    micro, run = evaluation.micro, evaluation.run
    return safe_text(
        f"micro precision {micro.precision:.3f} · recall {micro.recall:.3f} · "
        f"F1 {micro.f1:.3f} · grounded {evaluation.grounded:.0%} · "
        f"invented numbers {evaluation.invented_numbers} · dropped {run.dropped} · "
        f"requests {run.requests} · {run.seconds:.1f} s · cost {format_cost(run.cost_usd)}"
    )


def evaluation_text(
    evaluation: Evaluation, *, color: bool = False, width: int | None = None
) -> str:
    """A Rich table, one row per code, then the summary line; everything printed through
    a guarded console with markup off (codes and model names are not trusted)."""
    from rich.table import Table
    from rich.text import Text

    from assistant.render.status import console_buffer

    console, buffer = console_buffer(color, width)
    run = evaluation.run
    engine = run.engine + (f" ({run.model})" if run.model else "")
    console.print(
        Text(
            safe_text(
                f"okr eval · engine {engine} · {counted(evaluation.sets, 'set')} · "
                f"{counted(evaluation.targets, 'target')} · {counted(evaluation.labels, 'label')}"
                f" · {counted(evaluation.findings, 'finding')}"
            ),
            style="bold",
        )
    )
    table = Table(header_style="bold", pad_edge=False)
    table.add_column("code", no_wrap=True)
    for name in ("labels", "tp", "fp", "fn", "precision", "recall", "f1"):
        table.add_column(name, justify="right", no_wrap=True)
    for code, t in sorted(evaluation.codes.items()):
        style = "" if t.f1 >= 0.9 else "yellow" if t.f1 >= 0.7 else "red"
        table.add_row(
            Text(safe_text(code), style=style),
            str(t.labels),
            str(t.tp),
            str(t.fp),
            str(t.fn),
            f"{t.precision:.3f}",
            f"{t.recall:.3f}",
            Text(f"{t.f1:.3f}", style=style),
        )
    console.print(table)
    console.print(Text(summary_line(evaluation)), soft_wrap=True)  # one line, never wrapped
    return buffer.getvalue()
