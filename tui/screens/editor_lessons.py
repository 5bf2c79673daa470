"""What the draft's last graded cycle taught, in the editor: ``LESSON-…`` cards in the
panel (the LLM coach is grounded in the same lessons by the critique use case, as
``okr critique DRAFT`` is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from assistant.errors import OKRError
from assistant.model import Finding
from tui.hints import Hints, LessonHints
from tui.screens.editor_new import DraftActions


class EditorLessons(DraftActions):
    """Reads the lessons once per open; ``EditorScreen`` merges them."""

    if TYPE_CHECKING:  # provided by EditorScreen
        hints: Hints

        def _redraw(self) -> None: ...

    _lessons: LessonHints  # set per open by EditorScreen.__init__

    @work(exclusive=True, group="lessons", exit_on_error=False)
    async def _load_lessons(self) -> None:
        """The panel then shows the ``LESSON-…`` findings too."""
        try:
            lessons = await self.core.lessons_for(self.draft)
        except OKRError:
            return  # no lessons is no coaching, never a broken editor
        if not lessons or not self.is_attached or not self.query("#hint"):
            return
        self._lessons = LessonHints(tuple(lessons))
        self._redraw()

    def lesson_findings(self) -> list[Finding]:
        """The lessons applied to the text now (pure, cached per content)."""
        return self._lessons.findings(self.hints)
