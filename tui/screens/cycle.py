"""The Cycle screen: where a draft's open cycle stands, check in a KR, grade, look back.

Progress bars against expected and a sparkline per KR, from the same cycle use cases
of the App the CLI uses, awaited in workers. Fits 80×24: one table row per KR (its text
cut to the width left), the highlighted KR's details in full below it. Keys: c check in ·
s sync the sourced KRs · g grade · r retro · l launch (asks first when the cycle has
already ended); a key that cannot act now is not in the footer and says why.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Input

from assistant.domain.cycle import (
    FLAG_TEXT,
    ValueProblem,
    format_value,
    read_value,
    resolve_dates,
)
from assistant.domain.cycle_status import CheckinInput, CycleStatus, KRStatus
from assistant.domain.lessons import RetroNotes
from assistant.domain.sync import SyncOutcome
from assistant.errors import OKRError, one_line
from assistant.render.status import (
    STATUS_STYLE,
    bar,
    clean,
    grade_text,
    headline,
    journey,
    pct,
    sparkline,
    stale_line,
    trend,
)
from tui.safe import SafeInput, literal
from tui.safe import SafeStatic as Static
from tui.screens.base import OKRScreen
from tui.screens.dialogs import ConfirmDialog, FormDialog, PromptDialog

_GRADE_STYLE = {"red": "bold red", "yellow": "bold yellow", "green": "bold green"}


class CheckinDialog(FormDialog[CheckinInput | None]):
    """Value, confidence 0–10 and a note for one KR; the value is checked in its unit
    before the dialog closes. Enter moves on and submits from the last field."""

    LAST_FIELD = "note"

    def __init__(self, kr: KRStatus) -> None:
        super().__init__(classes="dialog-screen")
        self.kr = kr

    def compose(self) -> ComposeResult:
        t = self.kr.track
        last = "none" if self.kr.value is None else format_value(self.kr.value, t.unit)
        hint = "0–1 or done" if t.mode == "fraction" else f"in {t.unit or 'the KR’s unit'}"
        with Vertical(classes="dialog wide"):
            yield Static(Text.assemble((f"{t.id} ", "bold"), clean(t.text)), classes="dialog-text")
            yield Static(Text(f"last {last} · progress {pct(self.kr.progress)}", style="dim"))
            yield SafeInput(placeholder=f"value ({hint})", id="value")
            yield SafeInput(
                value="" if self.kr.confidence is None else str(self.kr.confidence),
                placeholder="confidence 0–10",
                id="confidence",
            )
            yield SafeInput(placeholder="note (optional)", id="note")
            yield Static("", id="checkin-problem", classes="dialog-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check in", variant="primary", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    def _problem(self, text: str) -> None:
        self.query_one("#checkin-problem", Static).update(Text(text, style="red"))

    def _submit(self) -> None:
        value = self.query_one("#value", Input).value.strip()
        raw_conf = self.query_one("#confidence", Input).value.strip()
        note = self.query_one("#note", Input).value.strip()
        try:
            read_value(self.kr.track, value)
        except ValueProblem as exc:
            self._problem(str(exc))
            return
        confidence = None
        if raw_conf:
            if not raw_conf.isdigit() or not 0 <= int(raw_conf) <= 10:
                self._problem("confidence is a whole number 0–10")
                return
            confidence = int(raw_conf)
        self.dismiss(CheckinInput(self.kr.track.id, value, confidence, note))


class RetroDialog(FormDialog[RetroNotes | None]):
    """The three questions (``(key, question)``, the App's); ';' separates several
    answers to one question."""

    LAST_FIELD = "change"

    def __init__(self, questions: tuple[tuple[str, str], ...]) -> None:
        super().__init__(classes="dialog-screen")
        self.questions = questions

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Text("Retrospective (';' separates answers)", style="bold"))
            for key, question in self.questions:
                yield SafeInput(placeholder=question, id=key)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#went_well", Input).focus()

    def _submit(self) -> None:
        answers = []
        for key, _ in self.questions:
            text = self.query_one(f"#{key}", Input).value
            answers.append(tuple(a for a in (" ".join(p.split()) for p in text.split(";")) if a))
        self.dismiss(RetroNotes(*answers))


class CycleScreen(OKRScreen[None]):
    """The draft's open cycle (else its last graded one), KR by KR; before the first
    launch, the cycle its set names (``cycle:``) and what launching it would do."""

    DEFAULT_CSS = """
    CycleScreen #cycle-head { height: auto; padding: 0 1; }
    CycleScreen #cycle-krs { height: 1fr; }
    CycleScreen #cycle-detail-scroll { height: 7; border-top: solid $panel; padding: 0 1; }
    """
    BINDINGS = [
        Binding("c", "checkin", "Check in",
                tooltip="Check in the highlighted KR: value, confidence"),
        Binding("s", "sync", "Sync",
                tooltip="Check in the sourced KRs from their sources"),
        Binding("g", "grade", "Grade", tooltip="Grade and close the cycle (asks first)"),
        Binding("r", "retro", "Retro", tooltip="The retrospective's three questions, and lessons"),
        Binding("l", "launch", "Launch",
                tooltip="Launch the set's cycle (asks if it has ended)"),
        Binding("escape,q", "back", "Back"),
    ]  # fmt: skip

    def __init__(self, draft: str, *, today: date | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.today = today
        self.status: CycleStatus | None = None
        self.set_cycle: str | None = None  # the head version's ``cycle:`` (before a launch)
        self.sourced = False  # a KR of the open cycle's plan names a ``source:``
        self.known: bool | None = None  # the draft was read (None: not yet)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="cycle-body"):
            yield Static("", id="cycle-head")
            yield DataTable(id="cycle-krs", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="cycle-detail-scroll"):
                yield Static("", id="cycle-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = f"{self.draft} · cycle"
        table = self.query_one(DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if self.status is not None:
            self.show_status(self.status)

    def _today(self) -> date:
        return self.today or self.core.today()

    @property
    def state(self) -> str | None:
        """``open``, ``graded`` or None (no cycle yet)."""
        return self.status.cycle.state if self.status is not None else None

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action == "back":
            return None
        if self.known is None:
            return "Reading the cycle…"
        if not self.known:
            return "This draft cannot be read: see the message above"
        none_open = (
            "The cycle is graded: no more check-ins (l launches the next one)"
            if self.state == "graded"
            else "No open cycle: l launches one"
        )
        if action in ("checkin", "grade", "sync") and self.state != "open":
            return none_open
        if action == "sync" and not self.sourced:
            return (
                "No key result of this cycle names a source: give one a 'source:' "
                "(a CSV column, a SQL query, a command, a JSON URL) and launch the next cycle"
            )
        if action == "retro" and self.state != "graded":
            return "Grade the cycle first (g)" if self.state == "open" else none_open
        if action == "launch" and self.state == "open":
            return "This draft's cycle is open: g grades it, then l launches the next one"
        return None

    @work(exclusive=True, group="cycle", exit_on_error=False)
    async def reload(self) -> None:
        """Re-read the cycle from the store (keeps the highlighted row)."""
        try:
            status = await self.core.status(self.draft, self.today)
        except OKRError as exc:
            await self._no_cycle(exc)
            return
        self.known = True
        self.sourced = False
        if status.cycle.state == "open":
            try:
                plan = (await self.core.version(self.draft, status.cycle.version)).okr_set
                self.sourced = any(
                    kr.source is not None for o in plan.objectives for kr in o.key_results
                )
            except OKRError:
                self.sourced = False
        self.show_status(status)
        self.refresh_bindings()

    async def _no_cycle(self, problem: OKRError) -> None:
        """No cycle to show: what launching would do (the set's ``cycle:``), or why the
        draft cannot be read."""
        self.status = None
        table = self.query_one(DataTable)
        table.clear()
        table.display = False  # no key results to show before a launch
        self._detail(None)
        head = self.query_one("#cycle-head", Static)
        try:
            okr_set = (await self.core.version(self.draft)).okr_set
        except OKRError as exc:
            self.known = False
            head.update(literal(one_line(exc), "red"))
            self.refresh_bindings()
            return
        self.known = True
        self.set_cycle = okr_set.cycle
        head.update(self._launch_text(okr_set.cycle))
        self.refresh_bindings()

    def _launch_text(self, label: str | None) -> Text:
        """Before the first launch: the cycle the set names and what l does with it."""
        name = literal(self.draft, "bold")
        if not label:
            return Text.assemble(
                name,
                " is not launched yet and its set names no cycle: ",
                ("l", "bold cyan"),
                " asks which one to launch (2026-Q1, 2026-H2, 2026, 2026-03).",
            )
        try:
            dates = resolve_dates(label, None, None)
        except OKRError:
            return Text.assemble(
                name,
                literal(f" is not launched yet; its set's cycle '{label}' is not a period: "),
                ("l", "bold cyan"),
                " asks which one to launch.",
            )
        text = Text.assemble(
            name,
            literal(f"'s cycle {dates.label} ({dates.start} → {dates.end}) is not launched yet: "),
            ("l", "bold cyan"),
            " launches it (this version becomes the cycle's plan).",
        )
        if dates.end < self._today():
            text.append(f"\nIt ended on {dates.end}: launching it asks first.", "yellow")
        return text

    def show_status(self, status: CycleStatus) -> None:
        table = self.query_one(DataTable)
        table.display = True
        if self.focused is None:
            table.focus()  # (it could not take the focus while hidden)
        row = table.cursor_row
        self.status = status
        graded = status.cycle.state == "graded"
        head = literal(headline(status), "bold")
        head.append(f"\nset progress {pct(status.progress)} · ")
        if graded:
            head.append(f"grade {grade_text(status.grade)}", _grade_style(status.grade))
        else:
            head.append(status.status, STATUS_STYLE[status.status])
            head.append(f" · expected now {pct(_expected_now(status))}", "dim")
        self.query_one("#cycle-head", Static).update(head)
        rows = [self._cells(kr, graded) for kr in status.key_results]
        # The key result's text takes the width left (cut with an ellipsis: the pane
        # below shows the highlighted one in full), so the table never scrolls sideways.
        used = sum(
            max([len(COLUMNS[i]), *(c.cell_len for c in (r[i] for r in rows))])
            for i in range(len(COLUMNS) - 1)
        )
        room = (table.size.width or self.size.width) - 1 - used - 2 * len(COLUMNS)
        table.clear()
        for kr, cells in zip(status.key_results, rows, strict=True):
            table.add_row(*cells[:-1], cut(cells[-1], max(room, 10)), key=kr.track.id)
        if row is not None and status.key_results:
            table.move_cursor(row=min(row, len(status.key_results) - 1))
        self._detail(self.selected())

    @staticmethod
    def _cells(kr: KRStatus, graded: bool) -> list[Text]:
        last = (
            Text(grade_text(kr.grade), style=_grade_style(kr.grade))
            if graded
            else Text(kr.status + (" ⌛" if kr.stale else ""), style=STATUS_STYLE[kr.status])
        )
        conf = "–" if kr.confidence is None else f"{kr.confidence} {trend(kr.confidence_trend)}"
        return [
            literal(kr.track.id),
            Text.assemble(
                (bar(kr.progress, None if graded else kr.expected_now, 8), STATUS_STYLE[kr.status]),
                f" {pct(kr.progress):>4}",
            ),
            literal(pct(kr.expected)),
            literal(conf),
            literal(sparkline(kr, 8)),
            last,
            Text(clean(kr.track.text)),
        ]

    def selected(self) -> KRStatus | None:
        if self.status is None or not self.status.key_results:
            return None
        row = self.query_one(DataTable).cursor_row
        if row is None or not 0 <= row < len(self.status.key_results):
            return None
        return self.status.key_results[row]

    @on(DataTable.RowHighlighted, "#cycle-krs")
    def _highlighted(self) -> None:
        self._detail(self.selected())

    def _detail(self, kr: KRStatus | None) -> None:
        detail = self.query_one("#cycle-detail", Static)
        if kr is None:
            note = stale_line(self.status) if self.status else None
            detail.update(Text(note or "", style="yellow"))
            return
        text = Text.assemble((f"{kr.track.id} ", "bold"), clean(kr.track.text), "\n")
        text.append(f"{journey(kr)} · progress {pct(kr.progress)} (expected {pct(kr.expected)})")
        days = kr.days_checked_in
        text.append(f" · {days} check-in day{'s' if days != 1 else ''}", "dim")
        if kr.latest is not None and kr.latest.note:
            text.append(f"\nlast note ({kr.latest.on}): {clean(kr.latest.note)}", "italic")
        if kr.stale:
            text.append("\nnot updated for 14+ days", "yellow")
        for flag in kr.flags:
            text.append(f"\n⚑ {FLAG_TEXT.get(flag, flag)}", "magenta")
        detail.update(text)

    @work(group="checkin", exit_on_error=False)
    async def action_checkin(self) -> None:
        kr = self.selected()
        if kr is None:
            return
        item = await self.app.push_screen_wait(CheckinDialog(kr))
        if item is None:
            return
        try:
            await self.core.checkin(self.draft, [item], source="tui")
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error", timeout=8)
            return
        self.okr_app.say(f"Checked in {item.kr}")
        self.reload()

    @work(group="sync", exit_on_error=False)
    async def action_sync(self) -> None:
        """Check in every sourced KR from where its number lives (``okr sync`` for this
        draft): one line per KR that failed, the others recorded."""
        self.okr_app.say("Reading the sources…", timeout=3)
        try:
            outcome = await self.core.sync([self.draft])
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error", timeout=8)
            return
        self.okr_app.say(
            sync_summary(outcome),
            severity="warning" if outcome.failed else "information",
            timeout=12,
        )
        self.reload()

    @work(group="grade", exit_on_error=False)
    async def action_grade(self) -> None:
        status = self.status
        if status is None or status.cycle.state != "open":
            return
        early = self._today() < status.cycle.end
        question = Text.assemble(
            "Grade and close ", literal(self.draft, "bold"), "'s cycle? No check-ins after that."
        )
        if early:
            question.append(f" It runs until {status.cycle.end}: this closes it early.")
        if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Grade")):
            return
        try:
            result = (await self.core.grade(self.draft, early=early)).status
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error", timeout=8)
            return
        self.okr_app.say(
            f"Graded {result.cycle.label}: {grade_text(result.grade)} — r for the retro"
        )
        self.reload()

    @work(group="retro", exit_on_error=False)
    async def action_retro(self) -> None:
        if self.state != "graded":
            return
        notes = await self.app.push_screen_wait(RetroDialog(self.core.retro_questions()))
        if notes is None:
            return
        if notes.empty:
            self.okr_app.say("No answers: nothing was stored", severity="warning")
            return
        try:
            stored = await self.core.retro(self.draft, notes)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error", timeout=8)
            return
        lessons = "; ".join(lesson.message for lesson in stored.lessons) or "no lessons"
        self.okr_app.say(f"Retro saved. {lessons}", timeout=12)

    @work(group="launch", exit_on_error=False)
    async def action_launch(self) -> None:
        """Launch the set's cycle (asked for when it names none); a cycle that has
        already ended is launched only once the user says so."""
        if self.state == "open":
            return
        label = self.set_cycle if self.state is None else None
        if label is not None:
            try:
                resolve_dates(label, None, None)
            except OKRError:
                label = None
        if label is None:
            label = await self.app.push_screen_wait(
                PromptDialog(
                    "Cycle to launch for",
                    placeholder="2026-Q1, 2026-H2, 2026, 2026-03",
                    validate=_period_problem,
                )
            )
            if label is None:
                return
        dates = resolve_dates(label, None, None)
        today = self._today()
        if dates.end < today:
            question = Text.assemble(
                literal(f"{dates.label} ended on {dates.end}", "bold"),
                f", {(today - dates.end).days} days ago. Launch it anyway? Check-ins are "
                "dated today unless given a date, and grading can follow at once.",
            )
            if not await self.app.push_screen_wait(
                ConfirmDialog(question, yes="Launch", no="Cancel")
            ):
                return
        try:
            outcome = await self.core.launch(self.draft, label=label)
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error", timeout=8)
            return
        if outcome.cycle is not None:
            self.okr_app.say(
                f"Launched v{outcome.version} for {outcome.cycle.label}: this version is the "
                "cycle's plan (later edits go into the next cycle's draft). c checks in a "
                "key result, s syncs the sourced ones, g grades the cycle.",
                timeout=12,
            )
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)


COLUMNS = ("KR", "progress", "exp", "conf", "trend", "status", "key result")


def cut(text: Text, width: int) -> Text:
    """``text`` on one line of at most ``width`` cells, an ellipsis where it was cut."""
    text = text.copy()
    text.truncate(max(width, 1), overflow="ellipsis")
    return text


def _period_problem(label: str) -> str | None:
    try:
        resolve_dates(label, None, None)
    except OKRError as exc:
        return one_line(exc)
    return None


def sync_summary(outcome: SyncOutcome) -> str:
    """What a sync did, in one notification: the counts, then each failure located."""
    if not outcome.lines:
        return "No key result of this cycle names a source: nothing to read"
    counts: dict[str, int] = {}
    for line in outcome.lines:
        counts[line.state] = counts.get(line.state, 0) + 1
    said = ", ".join(f"{n} {state}" for state, n in counts.items())
    failed = [f"{line.kr} ({line.kind}): {line.error}" for line in outcome.failed]
    n = len(outcome.lines)
    head = f"Synced {n} sourced KR{'s' if n != 1 else ''}: {said}"
    return head + "".join(f"\n{f}" for f in failed)


def _expected_now(status: CycleStatus) -> float | None:
    return status.key_results[0].expected_now if status.key_results else None


def _grade_style(grade: float | None) -> str:
    from assistant.domain.cycle import grade_colour

    return _GRADE_STYLE.get(grade_colour(grade) or "", "grey50")
