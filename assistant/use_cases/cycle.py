"""The cycle: launch, check in, status, grade, look back, and the lessons of the last cycle.

Each use case hands the App's store, clock and settings to ``services.cycle`` /
``services.retro``; the faces pass only what the user typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from assistant.use_cases.llm_base import LLMUseCaseBase

if TYPE_CHECKING:
    from assistant.domain.cycle_status import CheckinInput, CycleStatus, LaunchOutcome
    from assistant.domain.lessons import Lesson, Retro, RetroNotes
    from assistant.model import Finding, OKRSet
    from assistant.services.cycle import CheckinOutcome, GradeOutcome


class CycleUseCases(LLMUseCaseBase):
    async def launch(
        self,
        ref: str,
        *,
        label: str | None = None,
        start: date | None = None,
        end: date | None = None,
        fail_under: int | None = None,
        author: str | None = None,
    ) -> LaunchOutcome:
        """Freeze version N of a draft (``NAME@N``, else the latest) as a cycle's plan."""
        from assistant.services.cycle import launch

        return launch(
            self.store,
            ref,
            label=label,
            start=start,
            end=end,
            fail_under=fail_under,
            author=author,
            now=self.now(),
        )

    async def checkin(
        self,
        name: str,
        items: Sequence[CheckinInput],
        *,
        source: str = "cli",
        author: str | None = None,
    ) -> CheckinOutcome:
        """Record check-ins on the draft's open cycle, all or none (undated ones: today)."""
        from assistant.services.cycle import checkin

        return checkin(
            self.store,
            name,
            items,
            source=source,
            author=author,
            today=self.today(),
            now=self.now(),
        )

    async def status(self, name: str, today: date | None = None) -> CycleStatus:
        """The draft's open cycle (else its last graded one) as of ``today``."""
        from assistant.services.cycle import status

        return status(self.store, name, today or self.today())

    async def team_status(self, today: date | None = None) -> list[CycleStatus]:
        """Every live draft's open cycle, by name."""
        from assistant.services.cycle import team_status

        return team_status(self.store, today or self.today())

    async def grade(
        self,
        name: str,
        finals: Sequence[tuple[str, str]] = (),
        *,
        author: str | None = None,
        early: bool = False,
    ) -> GradeOutcome:
        """Close the draft's open cycle (``EarlyGrade`` before its last day unless ``early``)."""
        from assistant.services.cycle import grade

        return grade(
            self.store,
            name,
            finals,
            author=author,
            today=self.today(),
            now=self.now(),
            early=early,
        )

    async def retro(
        self,
        name: str,
        notes: RetroNotes,
        *,
        engine: str = "rules",
        author: str | None = None,
    ) -> Retro:
        """Store a retrospective of the last graded cycle (``engine="llm"``: with a summary)."""
        from assistant.services.retro import retro

        async with self.llm_client() as client:
            return await retro(
                self.store,
                name,
                notes,
                engine=engine,
                settings=self.settings,
                mode_cache=self.llm_cache() if engine == "llm" else None,
                client=client,
                author=author,
                today=self.today(),
                now=self.now(),
            )

    async def show_retro(self, name: str) -> Retro:
        """The stored retrospective of the draft's last graded cycle."""
        from assistant.services.retro import show_retro

        return show_retro(self.store, name, self.today())

    async def preview_lessons(self, name: str) -> Retro:
        """The last graded cycle's lessons, nothing stored (before the questions)."""
        from assistant.services.retro import preview_lessons

        return preview_lessons(self.store, name, self.today())

    async def lessons_for(self, name: str) -> list[Lesson]:
        """What the draft's last graded cycle taught (empty for a first cycle)."""
        from assistant.services.retro import lessons_for

        return lessons_for(self.store, name, self.today())

    async def lesson_findings(
        self, name: str, okr_set: OKRSet, findings: Sequence[Finding] = ()
    ) -> list[Finding]:
        """``LESSON-…`` findings of the draft's last graded cycle on a new draft of it."""
        from assistant.services.retro import lesson_findings_for

        return lesson_findings_for(self.store, name, okr_set, findings, self.today())
