"""Text for ``okr sync`` (one line per sourced KR) and ``okr calibration`` (text and
JSON). Pure functions of the services' results; every name, path and error from a
file, database, program or server goes through ``safe_text``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from assistant.domain.text_safety import safe_text, safe_value

if TYPE_CHECKING:
    from assistant.domain.calibration import Calibration
    from assistant.domain.sync import SyncLine, SyncOutcome


def sync_line(line: SyncLine) -> str:
    """``Platform team O1.KR1: recorded 41% (sync:csv metrics.csv column activation: …)``;
    a failure is located the same way: ``Platform team O1.KR2: failed: …``."""
    where = f"{line.draft} {line.kr}"
    if line.state == "failed":
        return safe_text(f"{where}: failed ({line.kind}): {line.error}")
    return safe_text(f"{where}: {line.state} {line.shown} (sync:{line.kind} {line.provenance})")


def render_sync(outcome: SyncOutcome) -> str:
    lines = [sync_line(line) for line in outcome.lines]
    counts: dict[str, int] = {}
    for line in outcome.lines:
        counts[line.state] = counts.get(line.state, 0) + 1
    if not outcome.lines:
        where = f"{outcome.cycles} open cycle{'s' if outcome.cycles != 1 else ''}"
        lines.append(f"no KR with a source in {where} (give a KR 'source:', see `okr sync --help`)")
    else:
        order = ("would record", "recorded", "unchanged", "failed")
        said = ", ".join(f"{counts[s]} {s}" for s in order if counts.get(s))
        dry = " (dry run: nothing recorded)" if outcome.dry_run else ""
        lines.append(f"{said}, dated {outcome.on}{dry}")
    return "\n".join(lines) + "\n"


def render_calibration(calibration: Calibration, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(safe_value(calibration.as_json()), indent=2, ensure_ascii=False) + "\n"
    by = calibration.by
    if not calibration.groups:
        return (
            "no confidence to score yet: calibration reads the check-ins of graded cycles "
            "(`okr checkin … --confidence N`, then `okr grade`)\n"
        )
    names = [safe_text(g.name) for g in calibration.groups]
    width = max(len(by), *(len(n) for n in names))
    out = [
        f"{by:<{width}}  forecasts  KRs  cycles  Brier   bias  verdict",
    ]
    for name, g in zip(names, calibration.groups, strict=True):
        out.append(
            f"{name:<{width}}  {g.forecasts:>9}  {g.krs:>3}  {g.cycles:>6}  {g.brier:5.2f}  "
            f"{g.bias:+5.2f}  {g.verdict}"
        )
    out += [
        "",
        "Each confidence given in a check-in of a graded cycle is a forecast p = confidence/10",
        "that the KR succeeds (grade 1.0 if committed, ≥ 0.7 if aspirational). Brier = mean",
        "(p − o)², 0 is perfect; bias = mean p − share that succeeded: over +0.15 is",
        "over-confident, under −0.15 under-confident; fewer than 5 forecasts: too few.",
    ]
    return "\n".join(out) + "\n"
