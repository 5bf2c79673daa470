"""The cycle: launch, check in, status, grade."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.use_cases.base import AppBase

if TYPE_CHECKING:
    from assistant.domain.cycle import CycleStatus


class CycleUseCases(AppBase):
    async def launch(self, ref: str, **options: Any) -> Any:
        from assistant.services.cycle import launch

        return launch(self.store, ref, **options)

    async def checkin(self, name: str, items: Sequence[Any], **options: Any) -> Any:
        from assistant.services.cycle import checkin

        return checkin(self.store, name, items, **options)

    async def status(self, name: str, today: date | None = None) -> CycleStatus:
        from assistant.services.cycle import status

        return status(self.store, name, today or self.today())

    async def grade(self, name: str, **options: Any) -> Any:
        from assistant.services.cycle import grade

        return grade(self.store, name, **options)
