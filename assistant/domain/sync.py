"""What ``okr sync`` did (SPEC §9): one line per sourced KR, and the run's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from assistant.domain.cycle import format_value

LineState = Literal["recorded", "would record", "unchanged", "failed"]


@dataclass(frozen=True, slots=True)
class SyncLine:
    """What ``okr sync`` did for one sourced KR."""

    draft: str
    kr: str
    kind: str
    state: LineState
    value: float | None = None
    unit: str = ""
    provenance: str = ""
    error: str = ""

    @property
    def shown(self) -> str:
        return format_value(self.value, self.unit) if self.value is not None else ""


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """Every sourced KR's line, in draft and KR order; exit 3 when one failed."""

    on: date
    dry_run: bool
    lines: tuple[SyncLine, ...] = field(default=())
    cycles: int = 0

    @property
    def failed(self) -> tuple[SyncLine, ...]:
        return tuple(line for line in self.lines if line.state == "failed")

    @property
    def exit_code(self) -> int:
        return 3 if self.failed else 0
