"""Renderers for a peer review: Markdown (export), JSON and terminal text. Pure functions.

User and model text is only placed in Rich ``Text`` objects (never parsed as markup),
and escaped where Markdown would read it as a table cell.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.text import Text

from assistant.domain.commands import okr_command
from assistant.domain.plural import counted
from assistant.domain.text_safety import dumps, safe_text
from assistant.model import Objective
from assistant.render.text import make_console

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.domain.review import Review, Seat
    from assistant.model import DryRunPlan

STANCE = {"agree": "agrees with", "disagree": "disagrees with", "refine": "refines"}


def _headline(review: Review) -> str:
    what = review.set_name or "OKR set"
    source = "stdin" if review.source in (None, "-") else review.source
    where = f"{review.draft}@{review.version}" if review.draft else source
    return f"Peer review: {what} ({where})"


def engine_line(review: Review) -> str:
    """How the review was made and what it cost, in one line."""
    if review.offline:
        return "Offline review (rules engine): deterministic, no model was asked."
    usage = review.usage
    cost = usage.cost_usd if usage is not None else None
    cost_text = f", ${cost:.4f}" if cost is not None else ""
    tokens = usage.prompt_tokens + usage.completion_tokens if usage is not None else 0
    return (
        f"LLM review: model {review.model}, {counted(review.requests, 'request')}, {tokens} tokens"
        f"{cost_text}, {review.elapsed_s:.1f} s."
    )


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _quote(evidence: str) -> str:
    return f' "{_md(evidence)}"' if evidence else ""


def _seat_md(review: Review, seat: Seat) -> list[str]:
    status = "" if seat.status == "ok" else " — **seat failed**"
    out = [f"### {seat.display_name} — {seat.role}{status}", ""]
    if seat.error:
        out += [f"> {_md(seat.error)}", ""]
    for p in seat.points:
        code = f" `{p.code}`" if p.code else ""
        out.append(f"- **{p.target}**{_quote(p.evidence)}{code} — {_md(p.text)}")
    for q in seat.questions:
        out.append(f"- ❓ **{q.target}** — _{_md(q.text)}_")
    if seat.dropped:
        out.append(
            f"- _({counted(seat.dropped, 'item')} dropped by the guards: a quote not in the text, or an unknown target or point)_"
        )
    out.append("")
    return out


def to_markdown(review: Review) -> str:
    """The whole session: synthesis first (what to do), then the transcript, then the OKRs."""
    s = review.synthesis
    out = [f"# {_headline(review)}", "", f"_{engine_line(review)}_", ""]
    names = ", ".join(seat.display_name for seat in review.seats)
    out += [f"Reviewers: {names}. Rounds: {review.rounds}.", ""]
    if review.id is not None:
        out += [f"Review {review.id} of `{review.draft}@{review.version}`.", ""]
    by = "the facilitator" if s.by == "facilitator" else "an offline synthesis of the transcript"
    out += ["## Synthesis", "", f"_Written by {by}._", ""]
    out += ["### Top changes", ""]
    if not s.top_changes:
        out += ["No change stood out.", ""]
    for n, change in enumerate(s.top_changes, start=1):
        done = f" ✓ accepted as v{review.accepted[n]}" if n in review.accepted else ""
        out.append(f"{n}. **{change.target}**{_quote(change.evidence)} — {_md(change.text)}{done}")
        if change.rewrite:
            delta = f" ({change.score_delta:+d})" if change.score_delta is not None else ""
            label = "New key result" if change.adds_key_result else "Rewrite"
            out.append(f"   - {label}{delta}: {_md(change.rewrite)}")
        if change.invented_numbers:
            out.append(
                f"   - Numbers you never wrote were replaced by placeholders: "
                f"{', '.join(change.invented_numbers)}"
            )
        if change.raised_by:
            out.append(
                f"   - Raised by: {', '.join(review.display_name(p) for p in change.raised_by)}"
            )
    out.append("")
    if review.id is not None and any(c.rewrite for c in s.top_changes):
        out += [
            f"Accept a change: `{okr_command('review', 'accept', review.draft or '')} N --review {review.id}`",
            "",
        ]
    out += ["### Where reviewers agree", ""]
    out += [f"- **{a.target}** — {_md(a.text)}" for a in s.agreements] or ["None recorded."]
    out += ["", "### Where they disagree", ""]
    if not s.disagreements:
        out.append("None recorded." if review.rounds >= 2 else "Not explored (one round only).")
    for d in s.disagreements:
        out.append(f"- **{d.target}** — {_md(d.text)}")
        out += [f"  - {review.display_name(p.persona)}: {_md(p.text)}" for p in d.positions]
    out += ["", "### Open questions for the author", ""]
    for q in s.open_questions:
        who = ", ".join(review.display_name(p) for p in q.asked_by)
        out.append(f"- **{q.target}** — {_md(q.text)}" + (f" _(asked by {who})_" if who else ""))
    if not s.open_questions:
        out.append("None.")
    if s.notes:
        out += ["", "### Notes", ""]
        out += [f"- {_md(n)}" for n in s.notes]
    out += ["", "## Round 1: each reviewer on their own", ""]
    for seat in review.seats:
        out += _seat_md(review, seat)
    if review.rounds >= 2:
        out += ["## Round 2: reviewers answer each other", ""]
        for seat in review.seats:
            if not seat.replies:
                continue
            out += [f"### {seat.display_name}", ""]
            for r in seat.replies:
                out.append(f"- {STANCE[r.stance]} {_md(review.point_label(r.to))} — {_md(r.text)}")
            out.append("")
    out += ["## The OKRs reviewed", ""]
    for tid, part in review.okr_set.iter_targets():
        if isinstance(part, Objective):
            out.append(f"- **{tid}** {_md(part.title)}")
        else:
            out.append(f"  - **{tid}** {_md(part.text)}")
    return safe_text("\n".join(out).rstrip() + "\n")


def to_json(review: Review) -> str:
    """The whole review as JSON (``--format json``): the stored transcript's shape."""
    return dumps(review.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _hanging(console: Console, lead: str | Text, body: Text) -> None:
    """``lead`` then ``body``, whose wrapped lines start under its first character (a
    hanging indent, as the critique's report has), not at the left margin."""
    from rich.table import Table

    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(lead, body)
    console.print(grid)


def to_text(review: Review, *, color: bool | None = None, width: int | None = None) -> str:
    """The terminal view: synthesis first, then each seat, then round 2."""
    buffer = io.StringIO()
    console = make_console(buffer, color=color, width=width)
    s = review.synthesis
    console.print(Text(_headline(review), style="bold"))
    console.print(Text(engine_line(review), style="dim"))
    reviewers = Text(", ".join(x.display_name for x in review.seats), style="dim")
    _hanging(console, Text("Reviewers: ", style="dim"), reviewers)
    console.print()
    console.print(Text("Top changes", style="bold blue"))
    if not s.top_changes:
        console.print(Text("  No change stood out.", style="green"))
    for n, change in enumerate(s.top_changes, start=1):
        line = Text.assemble((change.target, "bold"))
        if change.evidence:
            line.append(f' "{change.evidence}"', style="magenta")
        line.append(f"  {change.text}")
        if n in review.accepted:
            line.append(f"  ✓ accepted as v{review.accepted[n]}", style="green")
        _hanging(console, f"  {n}. ", line)
        if change.rewrite:
            delta = f" ({change.score_delta:+d})" if change.score_delta is not None else ""
            label = "new key result" if change.adds_key_result else "rewrite"
            rewrite = Text.assemble((f"{label}{delta}: ", "green"), change.rewrite)
            _hanging(console, "     ", rewrite)
        if change.raised_by:
            who = ", ".join(review.display_name(p) for p in change.raised_by)
            _hanging(console, "     ", Text(f"raised by {who}", style="dim"))
    sections: tuple[tuple[str, list[tuple[str, str, list[str]]]], ...] = (
        ("Where reviewers agree", [(a.target, a.text, []) for a in s.agreements]),
        (
            "Where they disagree",
            [
                (
                    d.target,
                    d.text,
                    [f"{review.display_name(p.persona)}: {p.text}" for p in d.positions],
                )
                for d in s.disagreements
            ],
        ),
        (
            "Open questions for the author",
            [
                (
                    q.target,
                    q.text,
                    [f"asked by {', '.join(review.display_name(p) for p in q.asked_by)}"],
                )
                for q in s.open_questions
            ],
        ),
    )
    for title, items in sections:
        if not items:
            continue
        console.print()
        console.print(Text(title, style="bold blue"))
        for target, text, details in items:
            _hanging(console, "  • ", Text.assemble((target, "bold"), "  ", text))
            for detail in details:
                _hanging(console, "      ", Text(detail, style="dim"))
    for note in s.notes:
        _hanging(console, Text("note: ", style="yellow"), Text(note, style="yellow"))
    console.print()
    console.print(Text("Round 1", style="bold blue"))
    for seat in review.seats:
        header = Text.assemble(("  " + seat.display_name, "bold"), (f"  {seat.role}", "dim"))
        if seat.status == "failed":
            header.append(f"  failed: {seat.error}", style="bold red")
        console.print(header)
        for p in seat.points:
            line = Text.assemble((p.target, "bold"))
            if p.evidence:
                line.append(f' "{p.evidence}"', style="magenta")
            line.append(f"  {p.text}")
            _hanging(console, "    – ", line)
        for q in seat.questions:
            _hanging(console, "    ? ", Text.assemble((q.target, "bold"), "  ", (q.text, "italic")))
    if review.rounds >= 2 and any(seat.replies for seat in review.seats):
        console.print()
        console.print(Text("Round 2", style="bold blue"))
        for seat in review.seats:
            for r in seat.replies:
                style = "red" if r.stance == "disagree" else "green"
                reply = Text.assemble(
                    (seat.display_name, "bold"),
                    (f" {STANCE[r.stance]} ", style),
                    (review.point_label(r.to), "dim"),
                    f"  {r.text}",
                )
                _hanging(console, "  ", reply)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def render_review_dry_run(plan: DryRunPlan) -> str:
    """``okr review --dry-run``: each reviewer seat's messages, then the estimate. The
    system text every seat of a round shares is printed once and referred to after."""
    from assistant.llm.cost import format_cost
    from assistant.render.llm_usage import message_lines

    out = [
        f"Dry run: nothing is sent. Endpoint {plan.base_url}, model {plan.model}, "
        f"prompts {plan.prompt}, response_format {plan.response_format}.",
        "",
    ]
    two_rounds = any(item.item.startswith("round 2") for item in plan.items)
    later = "Round 2 and the facilitator carry" if two_rounds else "The facilitator carries"
    seen_system: dict[str, str] = {}
    for item in plan.items:
        who = f" ({item.name})" if item.name else ""
        out.append(
            f"=== {item.item}{who}: ~{item.estimated_prompt_tokens} prompt + "
            f"~{item.estimated_completion_tokens} completion tokens ==="
        )
        out += message_lines(item, seen_system)
    out += [
        f"Would send {counted(plan.requests, 'request')}: ~{plan.estimated_prompt_tokens} prompt + "
        f"~{plan.estimated_completion_tokens} completion tokens (estimated at 4 characters "
        f"per token), cost ~{format_cost(plan.estimated_cost_usd)}.",
        f"{later} the reviewers' answers, known only as the review runs: "
        "the estimate counts those answers at a typical length.",
    ]
    return safe_text("\n".join(out) + "\n")
