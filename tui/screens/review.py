"""Simulated peer review: the reviewers (personas) side by side, and the synthesis.

The review runs in a worker through the App's review use case (``app.review``: the
offline rules engine, or the LLM when configured); Esc cancels it. A persona whose
call failed is shown as a failed seat; the others still count. The review is stored
with the draft version it looked at, and each top change with a rewrite can be
accepted as a new version (source ``review``).
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Header
from textual.worker import Worker

from assistant.errors import OKRError, one_line
from assistant.model import OKRSet
from tui.safe import SafeStatic as Static
from tui.safe import literal
from tui.screen_text import SPINNER, delta_text
from tui.screens.base import OKRScreen
from tui.screens.dialogs import RewriteDialog
from tui.suggestions import placeholders

if TYPE_CHECKING:
    from assistant.domain.review import Review, Seat
    from tui.app import OKRApp
    from tui.screens.editor import EditorScreen


def open_review(app: OKRApp, editor: EditorScreen) -> None:
    """Review the editor's saved version (asks to save unsaved edits first)."""
    editor.refresh_hints()
    if editor.dirty or editor.hints.okr_set is None:
        app.say(
            "Save your edits first (ctrl+s): the review looks at a saved version",
            severity="warning",
        )
        return
    app.push_screen(
        ReviewScreen(editor.draft, editor.version, editor.hints.okr_set),
        editor.reload_if_moved,
    )


def seat_text(review: Review, seat: Seat) -> Text:
    """One reviewer's column: who, then their points, questions and replies."""
    lines = [literal(seat.display_name, "bold"), literal(seat.role, "dim italic")]
    if seat.status == "failed":
        lines.append(
            Text.assemble(("FAILED ", "bold red"), literal(seat.error or "no answer", "red"))
        )
    for point in seat.points:
        line = Text.assemble(("• ", "yellow"), literal(f"{point.target} ", "bold blue"))
        if point.evidence:
            line.append_text(Text.assemble("“", literal(point.evidence, "magenta"), "” "))
        line.append_text(literal(point.text))
        lines.append(line)
    for question in seat.questions:
        lines.append(
            Text.assemble(
                ("? ", "bold cyan"),
                literal(f"{question.target} ", "bold blue"),
                literal(question.text, "italic"),
            )
        )
    for reply in seat.replies:
        other = reply.to.split("#", 1)[0]
        lines.append(
            Text.assemble(
                literal(
                    f"↳ {reply.stance} ",
                    "bold green" if reply.stance == "agree" else "bold yellow",
                ),
                literal(f"{review.display_name(other)}: ", "dim"),
                literal(reply.text),
            )
        )
    if seat.status == "ok" and not (seat.points or seat.questions or seat.replies):
        lines.append(Text("Nothing to add.", style="dim"))
    return Text("\n").join(lines)


def synthesis_text(review: Review) -> Text:
    """Top changes (numbered: press the number to accept), agreements, disagreements, questions."""
    s = review.synthesis
    lines = [Text.assemble(("Synthesis", "bold"), literal(f"  ({s.by})", "dim"))]
    if s.top_changes:
        lines.append(Text("Top changes", style="bold underline"))
    for n, change in enumerate(s.top_changes, start=1):
        accepted = review.accepted.get(n)
        line = Text.assemble(
            (f"{n}. ", "bold"), literal(f"{change.target} ", "bold blue"), literal(change.text)
        )
        if accepted:
            line.append(f"  (accepted as v{accepted})", "green")
        lines.append(line)
        if change.rewrite:
            mark = "   + new key result: " if change.adds_key_result else "   ✎ "
            rewrite = Text.assemble((mark, "bold green"), literal(change.rewrite))
            if change.score_delta is not None:
                rewrite.append("  ")
                rewrite.append_text(delta_text(change.score_delta))
            lines.append(rewrite)
        names = ", ".join(review.display_name(p) for p in change.raised_by)
        if names:
            lines.append(literal(f"   raised by {names}", "dim"))
    if s.agreements:
        lines.append(Text("Agreements", style="bold underline"))
    for agreement in s.agreements:
        who = ", ".join(review.display_name(p) for p in agreement.personas)
        lines.append(
            Text.assemble(
                ("= ", "green"),
                literal(f"{agreement.target} ", "bold blue"),
                literal(agreement.text),
                literal(f"  ({who})", "dim"),
            )
        )
    if s.disagreements:
        lines.append(Text("Disagreements", style="bold underline"))
    for disagreement in s.disagreements:
        lines.append(
            Text.assemble(
                ("≠ ", "yellow"),
                literal(f"{disagreement.target} ", "bold blue"),
                literal(disagreement.text),
            )
        )
        for position in disagreement.positions:
            lines.append(
                Text.assemble(
                    literal(f"   {review.display_name(position.persona)}: "),
                    literal(position.text, "italic"),
                )
            )
    if s.open_questions:
        lines.append(Text("Open questions", style="bold underline"))
    for question in s.open_questions:
        lines.append(
            Text.assemble(
                ("? ", "bold cyan"),
                literal(f"{question.target} ", "bold blue"),
                literal(question.text),
            )
        )
    for note in s.notes:
        lines.append(literal(note, "dim"))
    return Text("\n").join(lines)


ACCEPT = Binding.Group("Accept change")
SEAT_WIDTH = 38  # a reviewer's card (.seat in app.tcss)


class ReviewScreen(OKRScreen[None]):
    """One review session of ``draft@version``."""

    BINDINGS = [
        Binding("1", "accept(1)", "Accept top change 1", group=ACCEPT),
        Binding("2", "accept(2)", "Accept top change 2", group=ACCEPT),
        Binding("3", "accept(3)", "Accept top change 3", group=ACCEPT),
        Binding("r", "rerun", "Run again", tooltip="Review the draft's latest version again"),
        Binding("escape", "back", "Back / cancel", tooltip="Cancel the review, else back"),
    ]

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Keys that cannot act now leave the footer (and say why when pressed)."""
        if action == "rerun" and self.running:
            return "The review is running (Esc cancels it)"
        if action == "accept":
            review = self.review
            if review is None or review.id is None:
                return "No review yet: wait for it (Esc cancels), or r runs it again"
            count = len(review.synthesis.top_changes)
            if not 1 <= int(str(parameters[0])) <= count:
                return f"The synthesis has {count} top change{'s' if count != 1 else ''}"
        return None

    def __init__(self, draft: str, version: int, okr_set: OKRSet) -> None:
        super().__init__()
        self.draft = draft
        self.version = version
        self.okr_set = okr_set
        self.review: Review | None = None
        self.failed: str | None = None
        self._worker: Worker[None] | None = None
        self._spin: Timer | None = None
        self._status = "Starting the review…"
        self._since = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="review-body"):
            yield Static("", id="review-status")
            yield HorizontalScroll(id="review-seats")
            with VerticalScroll(id="synthesis"):
                yield Static("", id="synthesis-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self._header()
        self.action_rerun()

    def _header(self, head: int | None = None) -> None:
        """``draft @ vN · peer review`` (and the head, once accepted changes moved it on)."""
        now = f" · draft now at v{head}" if head is not None and head != self.version else ""
        self.sub_title = f"{self.draft} @ v{self.version} · peer review{now}"

    # --- running ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    def action_rerun(self) -> None:
        """Review the draft's latest version (accepted changes made a newer one)."""
        if self.running:
            return
        self._since = monotonic()
        self._spin = self.set_interval(0.1, self._tick)
        self._worker = self.run_review(latest=self.review is not None)

    def _progress(self, message: str) -> None:
        self._status = " ".join(message.split())

    def _tick(self) -> None:
        elapsed = monotonic() - self._since
        frame = SPINNER[int(elapsed * 10) % len(SPINNER)]
        self.query_one("#review-status", Static).update(
            Text.assemble(
                (f"{frame} ", "bold magenta"),
                literal(self._status, "bold"),
                (f" {elapsed:.0f}s · Esc cancels", "dim"),
            )
        )

    def _stop_spinner(self) -> None:
        if self._spin is not None:
            self._spin.stop()
            self._spin = None

    @work(exclusive=True, group="review", exit_on_error=False)
    async def run_review(self, *, latest: bool = False) -> None:
        """Review the set (``latest``: the draft's latest version first), then store the
        review with the version it looked at."""
        app = self.okr_app
        core = self.core
        self._status = "Reviewers are reading your OKRs…"
        try:
            if latest:
                head = await core.version(self.draft)
                self.version, self.okr_set = head.number, head.okr_set
                self._header()
            review = await core.review(
                self.okr_set, rounds=2, engine=app.settings.engine, progress=self._progress
            )
            review = await core.save_review(review, self.draft, self.version)
        except asyncio.CancelledError:
            self._stop_spinner()
            self._show_status(Text("Review cancelled.", style="yellow"))
            app.say("Review cancelled")
            raise
        except Exception as exc:  # noqa: BLE001 - a failed review never kills the app
            self._stop_spinner()
            self.failed = one_line(exc)
            self._show_status(Text.assemble(("Review failed: ", "bold red"), literal(self.failed)))
            app.say(f"Review failed: {self.failed}", severity="error", timeout=8)
            return
        self._stop_spinner()
        await self.show_review(review)

    def _show_status(self, text: Text) -> None:
        self.query_one("#review-status", Static).update(text)

    async def show_review(self, review: Review) -> None:
        self.review = review
        failed = review.failed_seats
        engine = "offline rules engine" if review.offline else f"{review.model or 'LLM'}"
        status = Text.assemble(
            (f"{len(review.seats)} reviewers", "bold"),
            literal(f" · {engine} · review {review.id}", "dim"),
            (f" · {len(failed)} failed" if failed else "", "bold red"),
            (" · 1-3 accept a change", "dim") if review.synthesis.top_changes else "",
        )
        seats = self.query_one("#review-seats", HorizontalScroll)
        await seats.remove_children()
        await seats.mount_all(
            VerticalScroll(
                Static(seat_text(review, seat)),
                classes="seat -failed" if seat.status == "failed" else "seat",
                id=f"seat-{i}",
            )
            for i, seat in enumerate(review.seats)
        )
        # Cards that do not fit are said, not just cut off (tab brings the next in view).
        for number, card in enumerate(seats.children, start=1):
            card.border_title = f"{number} of {len(review.seats)}"
        more = len(review.seats) - max(1, seats.size.width // SEAT_WIDTH)
        if more > 0:
            status.append(f" · {more} more reviewer{'s' if more > 1 else ''} → (tab)", "yellow")
        self._show_status(status)
        self.query_one("#synthesis-text", Static).update(synthesis_text(review))

    # --- accepting a change ------------------------------------------------------------------

    def action_accept(self, number: int) -> None:
        review = self.review
        if (
            review is None
            or review.id is None
            or not 1 <= number <= len(review.synthesis.top_changes)
        ):
            self.app.bell()
            return
        change = review.synthesis.top_changes[number - 1]
        if change.target == "SET":
            self.okr_app.say(
                "That change is about the whole set: edit the draft yourself", severity="warning"
            )
            return
        # A change that adds a key result starts from nothing: the title is not its text.
        current = "" if change.adds_key_result else review.okr_set.target_text(change.target)
        proposal = change.rewrite or current
        if change.rewrite and not placeholders(change.rewrite, current):
            self._accept(number, None)
            return

        def score(text: str) -> int | None:
            return self.core.score_change(review.okr_set, change, text)

        def done(text: str | None) -> None:
            if text is not None:
                self._accept(number, text)

        self.app.push_screen(
            RewriteDialog(
                f"{change.target}: new key result" if change.adds_key_result else change.target,
                current,
                proposal,
                score,
                lambda t: placeholders(t, current),
            ),
            done,
        )

    @work(group="accept", exit_on_error=False)
    async def _accept(self, number: int, text: str | None) -> None:
        review = self.review
        assert review is not None and review.id is not None
        try:
            result = await self.core.accept_review_change(
                self.draft, number, review_id=review.id, text=text
            )
            self.review = await self.core.stored_review(review.id, self.draft)
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error")
            return
        self.query_one("#synthesis-text", Static).update(synthesis_text(self.review))
        self._header(result.version.number)
        self.okr_app.say(
            f"Accepted change {number}: {self.draft} v{result.version.number} (review)"
        )

    def action_back(self) -> None:
        if self.running and self._worker is not None:
            self._worker.cancel()
            return
        self.dismiss()
