"""What the critique panel's keys do in the editor: accept a suggestion as a new
version (editing it first when it has blanks), dismiss one for this version, bring
the dismissed ones back. Part of ``EditorScreen``, kept apart to keep both short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work

from assistant.errors import OKRError, one_line
from assistant.model import Finding
from assistant.rubric.rewrites import score_rewrite
from tui.screens.base import OKRScreen
from tui.screens.dialogs import RewriteDialog
from tui.suggestions import Suggestion, placeholders
from tui.widgets.critique_panel import CritiquePanel

if TYPE_CHECKING:
    from tui.hints import Hints


class FindingActions(OKRScreen[None]):
    """Accept / edit+accept / dismiss / undismiss, for ``EditorScreen``."""

    if TYPE_CHECKING:  # provided by EditorScreen
        draft: str
        version: int
        hints: Hints
        _dismissed: set[str]

        @property
        def dirty(self) -> bool: ...
        def refresh_hints(self) -> None: ...
        async def load_head(self) -> None: ...
        def _sync_hints(self) -> Hints: ...

    @on(CritiquePanel.Act)
    def _act(self, event: CritiquePanel.Act) -> None:
        event.stop()
        if event.action == "undismiss":
            self.undismiss_all()
            return
        finding = event.finding
        if finding is None:
            return
        if event.action == "dismiss":
            self.dismiss_finding(finding)
        elif event.action == "accept":
            self.accept(finding, event.suggestion, edit=False)
        elif event.action == "edit":
            self.accept(finding, event.suggestion, edit=True)

    @work(group="dismissals", exit_on_error=False)
    async def undismiss_all(self) -> None:
        count = await self.core.undismiss(self.draft, self.version)
        self._dismissed = set()
        self.okr_app.say(f"{count} dismissed suggestion(s) shown again")
        self.refresh_hints()

    @work(group="dismissals", exit_on_error=False)
    async def dismiss_finding(self, finding: Finding) -> None:
        try:
            key = await self.core.dismiss(self.draft, self.version, finding)
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return
        self._dismissed.add(key)
        self.okr_app.say(
            f"Dismissed {finding.code} on {finding.target} for v{self.version} (u: undo)"
        )
        self.refresh_hints()

    def accept(self, finding: Finding, suggestion: Suggestion | None, *, edit: bool) -> None:
        """Accept the finding's rewrite as a new version (editing it first when asked,
        when it has blanks to fill in, or when the finding offers no rewrite)."""
        self._sync_hints()
        if self.dirty or self.hints.okr_set is None:
            self.okr_app.say(
                "Save your edits first (ctrl+s): suggestions apply to a saved version",
                severity="warning",
            )
            return
        if finding.target == "SET":
            self.okr_app.say(
                "This finding is about the whole set: edit the text directly", severity="warning"
            )
            return
        okr_set = self.hints.okr_set
        current = okr_set.target_text(finding.target)
        if suggestion is not None and suggestion.ready and not edit:
            text = suggestion.text if finding.rewrite is None else None
            self._accept_now(finding, text)
            return

        def score(text: str) -> int | None:
            scored = score_rewrite(okr_set, finding.target, text)
            return None if scored is None else scored.score_delta

        def done(text: str | None) -> None:
            if text is not None:
                self._accept_now(finding, text)

        self.app.push_screen(
            RewriteDialog(
                finding.target,
                current,
                suggestion.text if suggestion else current,
                score,
                # A guided fill-in's blanks are in the current text: all must go.
                lambda text: placeholders(
                    text, "" if suggestion and suggestion.guided else current
                ),
            ),
            done,
        )

    @work(group="accept", exit_on_error=False)
    async def _accept_now(self, finding: Finding, text: str | None) -> None:
        before = self.hints.critique.scores.overall if self.hints.critique else None
        try:
            result = await self.core.accept(
                self.draft, finding, text=text, expected_head=self.version
            )
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return
        number = result.version.number  # accept carried the dismissals forward with it
        await self.load_head()
        after = self.hints.critique.scores.overall if self.hints.critique else None
        change = (
            f" · overall {before} → {after}" if before is not None and after is not None else ""
        )
        self.okr_app.say(f"Accepted: {self.draft} v{number} ({result.version.source}){change}")
