"""What the draft's last graded cycle taught, in the editor: ``LESSON-…`` cards in the
panel and the same lessons as grounding for the LLM coach (as ``okr critique DRAFT``)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING

from textual import work

from assistant.errors import OKRError
from assistant.model import Finding
from assistant.services.engines import Critic, LLMCritic
from assistant.services.lessons import grounding_lines
from tui.hints import Hints, LessonHints
from tui.screens.editor_new import DraftActions


class EditorLessons(DraftActions):
    """Reads the lessons once per open, off the event loop; ``EditorScreen`` merges them."""

    if TYPE_CHECKING:  # provided by EditorScreen
        hints: Hints

        def _redraw(self) -> None: ...

    _lessons: LessonHints  # set per open by EditorScreen.__init__

    @work(exclusive=True, group="lessons")
    async def _load_lessons(self) -> None:
        """The panel then shows the ``LESSON-…`` findings too (a store query, in a thread)."""
        from assistant.services.retro import lessons_for

        try:
            lessons = await asyncio.to_thread(lessons_for, self.okr_app.home, self.draft)
        except OKRError:
            return  # no lessons is no coaching, never a broken editor
        if not lessons or not self.is_attached or not self.query("#hint"):
            return
        self._lessons = LessonHints(tuple(lessons))
        self._redraw()

    def lesson_findings(self) -> list[Finding]:
        """The lessons applied to the text now (pure, cached per content)."""
        return self._lessons.findings(self.hints)

    def grounded(self, critic: Critic) -> Critic:
        """The LLM coach with the draft's lessons as grounding (other critics as they are)."""
        if self._lessons.lessons and isinstance(critic, LLMCritic):
            return dataclasses.replace(critic, lessons=(grounding_lines(self._lessons.lessons),))
        return critic
