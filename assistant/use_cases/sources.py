"""KRs that update themselves (``okr sync``) and whether confidence is worth anything
(``okr calibration``, the owners' calibration in ``okr status``).

Each use case hands the App's store, clock and ``sources`` settings to
``services.sync`` / ``services.calibration``; the faces pass only what the user typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.use_cases.base import AppBase

if TYPE_CHECKING:
    from assistant.domain.calibration import By, Calibration
    from assistant.domain.sync import SyncOutcome


class SourceUseCases(AppBase):
    async def sync(
        self,
        names: Sequence[str] = (),
        *,
        on: date | None = None,
        dry_run: bool = False,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> SyncOutcome:
        """Check in every sourced KR of the open cycles (or of the named drafts), dated
        ``on`` (default today); relative paths from ``cwd`` (default the current
        directory), ``${VAR}`` from ``env`` (default the environment)."""
        from assistant.services.sync import sync

        return await sync(
            self.store,
            names,
            settings=self.settings.sources,
            on=on,
            today=self.today(),
            dry_run=dry_run,
            now=self.now(),
            cwd=cwd,
            env=env,
        )

    async def calibration(self, names: Sequence[str] = (), *, by: By = "owner") -> Calibration:
        """Confidence in check-ins of graded cycles scored as forecasts, per owner or draft
        (every live draft's when none is named)."""
        from assistant.services.calibration import calibration

        return calibration(self.store, names, by=by, today=self.today())

    async def owners_calibration(self, name: str, today: date | None = None) -> Calibration:
        """The calibration of the people who own KRs of the draft's current cycle, over
        every graded cycle they forecast in (``okr status``)."""
        from assistant.services.calibration import people_of

        return people_of(self.store, name, today or self.today())
