"""``okr review`` (simulated peer review), ``okr review accept``, ``okr reviews`` and
``okr personas``. Everything goes through the App's review use cases
(``assistant.use_cases.review``); this module parses options and prints."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.cli.options import emit, output_option, wants_color
from assistant.domain.commands import okr_command
from assistant.domain.plural import counted
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.domain.review import Review
    from assistant.model import DryRunPlan, OKRSet
    from assistant.use_cases.review import SessionOptions

FORMATS = ("text", "markdown", "json")
_FILE_SUFFIXES = (".yaml", ".yml", ".md", ".markdown", ".json", ".csv")


class _ReviewGroup(click.Group):
    """``okr review TARGET …`` runs a review; ``okr review accept …`` is a subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Show the options of a review run too (its command is hidden: it is the default)."""
        run = self.commands["run"]
        records = [
            r
            for p in run.get_params(ctx)
            if isinstance(p, click.Option) and (r := p.get_help_record(ctx))
        ]
        with formatter.section("Review options"):
            formatter.write_dl([r for r in records if not r[0].startswith("-h")])
        super().format_options(ctx, formatter)


@click.group("review", cls=_ReviewGroup)
def review_group() -> None:
    """Simulated peer review: colleagues with different concerns challenge a draft.

    \b
    okr review FILE|DRAFT[@V] [--personas a,b,c] [--rounds 1|2] [--engine rules|llm]
               [--format text|markdown|json] [-o FILE] [--dry-run]
    okr review accept DRAFT N [--review ID]

    Each reviewer (see `okr personas`) reads the OKRs from their own seat; in round 2
    they answer each other; a facilitator then lists where they agree, where they
    disagree, the top three changes and the open questions for you.

    With --engine rules the review is offline and deterministic: the rubric findings
    weighted and phrased per reviewer. With --engine llm each reviewer is one model
    call (all sent at once); 5 reviewers × 2 rounds + the facilitator = 11 requests.
    --dry-run prints what the LLM review would send, reviewer by reviewer, and the
    estimated tokens and cost; nothing is sent.

    A DRAFT's review is stored with the version it reviewed (`okr reviews DRAFT`);
    `okr review accept DRAFT N` applies change N as a new version.

    \b
    Examples:
      okr review examples/weak.yaml --engine rules
      okr review plan --personas finance-lead,data-analyst --rounds 1
      okr review plan@3 --format markdown -o review.md
      okr review plan --dry-run --rounds 1
      okr review accept plan 2
    """


def _is_file(target: str) -> bool:
    if target == "-":
        return True
    path = Path(target)
    return path.is_file() or path.suffix.lower() in _FILE_SUFFIXES or "/" in target


def _pick_set(sets: list[OKRSet], choice: str | None, label: str) -> OKRSet:
    if choice is None:
        if len(sets) == 1:
            return sets[0]
        names = ", ".join(f"{s.index}={s.name}" for s in sets)
        raise UsageError(f"{label} holds {len(sets)} sets; pick one with --set N or NAME ({names})")
    for okr_set in sets:
        if choice == str(okr_set.index) or (okr_set.name or "").casefold() == choice.casefold():
            return okr_set
    raise UsageError(f"{label} has no set '{choice}' (sets: 1–{len(sets)})")


def _numbers(draft: str) -> dict[int, int]:
    """Stored review id → its number among DRAFT's reviews (1 = the first). Reviews are
    counted per draft: the numbers a user sees here are the ones the commands take."""
    from assistant.cli.core import app, run

    infos = run(app().reviews(draft))  # newest first
    return {info.id: len(infos) - k for k, info in enumerate(infos)}


def _stored_id(draft: str, number: int) -> int:
    """The stored review that is review ``number`` of ``draft``; one line when none is."""
    from assistant.services.drafts import parse_ref

    numbers = _numbers(draft)
    for review_id, n in numbers.items():
        if n == number:
            return review_id
    name = parse_ref(draft)[0]
    known = f"reviews 1–{len(numbers)}" if len(numbers) > 1 else counted(len(numbers), "review")
    raise UsageError(
        f"draft '{name}' has no review {number} ({known}; see `{okr_command('reviews', name)}`)"
    )


def _numbered(review: Review, numbers: dict[int, int]) -> Review:
    """``review`` as shown: its number among its draft's reviews instead of the stored id."""
    if review.id is None or review.id not in numbers:
        return review
    return review.model_copy(update={"id": numbers[review.id]})


def render_review(review: Review, fmt: str, *, color: bool | None) -> str:
    """The review in ``fmt``, safe on a terminal (the text is printed by a guarded
    console: user text escaped, colours kept)."""
    from assistant.domain.text_safety import json_safe, safe_text
    from assistant.render.review import to_json, to_markdown, to_text

    if fmt == "json":
        return json_safe(to_json(review))
    if fmt == "markdown":
        return safe_text(to_markdown(review))
    return to_text(review, color=color)


@review_group.command("run", hidden=True)
@click.argument("target", metavar="FILE|DRAFT[@V]")
@click.option(
    "--personas",
    metavar="A,B,C",
    help="Reviewers by name (default: the default panel; see `okr personas`).",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 2),
    default=2,
    show_default=True,
    help="1: each reviewer on their own. 2: they also answer each other.",
)
@click.option(
    "--engine",
    type=click.Choice(["rules", "llm", "auto"]),
    default=None,
    help="rules: offline, deterministic. llm: one model call per reviewer and round. "
    "auto (default): llm when OPENAI_API_KEY is set, else rules.",
)
@click.option("--model", help="LLM model name (overrides the config file).")
@click.option("--set", "set_choice", metavar="N|NAME", help="Which set of a team file to review.")
@click.option(
    "--format-in",
    type=click.Choice(["yaml", "markdown", "md", "json", "csv"]),
    help="Input format when it cannot be told from the file name (stdin).",
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True
)
@output_option("Write the review to a file.")
@click.option("--no-save", is_flag=True, help="Do not store a draft's review.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent to the LLM; send nothing.")
@click.option("--color/--no-color", default=None, help="Force colours on or off (text format).")
def review_run(
    target: str,
    personas: str | None,
    rounds: int,
    engine: str | None,
    model: str | None,
    set_choice: str | None,
    format_in: str | None,
    fmt: str,
    output: str | None,
    no_save: bool,
    dry_run: bool,
    color: bool | None,
) -> None:
    """Review FILE or a stored DRAFT (NAME, or NAME@V for one version)."""
    from assistant.cli.core import app, run
    from assistant.services.drafts import parse_ref
    from assistant.services.personas import split_names

    okr = app()
    names = split_names(personas)
    progress = None
    if sys.stderr.isatty():

        def progress(message: str) -> None:
            click.echo(f"  {message}", err=True)

    okr_set: OKRSet | None = None  # None: the stored draft TARGET
    if _is_file(target):
        from assistant.io import read_path

        sets = read_path(target, format_in)
        okr_set = _pick_set(sets, set_choice, target)
    else:
        if set_choice is not None:
            raise UsageError("--set is for team files; a draft holds one set")
        name, number = parse_ref(target)
        if name not in {d.name for d in run(okr.drafts())}:
            raise UsageError(f"'{target}' is neither a file nor a draft (see `okr drafts`)")
    if dry_run:  # what the LLM review would send, whichever engine was chosen
        if okr_set is None:
            okr_set = run(okr.version(*parse_ref(target))).okr_set
        plan = run(okr.plan_review(okr_set, personas=names, rounds=rounds, model=model))
        _emit_plan(plan, fmt, output)
        return
    session: SessionOptions = {
        "personas": names,
        "rounds": rounds,
        "engine": engine,
        "model": model,
        "progress": progress,
        "keep_partial": True,  # Ctrl-C keeps the finished seats (usage.interrupted)
    }
    if okr_set is not None:
        result = run(okr.review(okr_set, **session))
    else:
        result = run(okr.review_draft(target, save=not no_save, **session))
    if result.id is not None and result.draft:  # stored: shown as the draft's review N
        result = _numbered(result, _numbers(result.draft))
    use_color = wants_color(color, output)
    emit(render_review(result, fmt, color=use_color), output, color=use_color)
    if result.usage is not None:
        usage = result.usage
        click.echo(
            f"{usage.model}: {counted(result.requests, 'request')}, "
            f"{usage.prompt_tokens} prompt + {usage.completion_tokens} "
            f"completion tokens, {result.elapsed_s:.1f} s",
            err=True,
        )
        for note in usage.notes:  # a response-mode fallback, said once (then remembered)
            click.echo(f"note: {note}", err=True)
    if result.id is not None and result.draft:  # stored as one of the draft's reviews
        hint = ""
        if any(c.rewrite for c in result.synthesis.top_changes):
            hint = f"; accept a change with: {okr_command('review', 'accept', result.draft)} N"
        click.echo(
            f"Saved as review {result.id} of {result.draft}@{result.version}{hint}", err=True
        )
    for seat in result.failed_seats:
        click.echo(f"okr: {seat.display_name}: {seat.error}", err=True)
    if result.usage is not None and result.usage.interrupted:
        click.echo("okr: interrupted; the seats that finished are kept", err=True)
        sys.exit(130)
    if not result.complete:
        sys.exit(3)


def _emit_plan(plan: DryRunPlan, fmt: str, output: str | None) -> None:
    """``--dry-run``: the messages per reviewer seat and the estimate, as text (or
    Markdown) or, with ``--format json``, the plan."""
    if fmt == "json":
        from assistant.domain.text_safety import dumps

        emit(
            dumps({"dry_run": plan.model_dump(mode="json")}, indent=2, ensure_ascii=False) + "\n",
            output,
        )
        return
    from assistant.domain.text_safety import safe_text
    from assistant.render.review import render_review_dry_run

    emit(safe_text(render_review_dry_run(plan)), output)


@review_group.command("accept")
@click.argument("draft", metavar="DRAFT")
@click.argument("change", type=click.IntRange(1), metavar="N")
@click.option(
    "--review",
    "review_id",
    type=click.IntRange(1),
    metavar="ID",
    help="Which of the draft's reviews, as `okr reviews DRAFT` numbers them (default: the latest).",
)
@click.option("--text", help="Your own wording instead of the suggested rewrite.")
@click.option("--author", metavar="A", help="Who accepts it (default: $OKR_AUTHOR or your login).")
def review_accept(
    draft: str, change: int, review_id: int | None, text: str | None, author: str | None
) -> None:
    """Apply change N of a stored review to DRAFT as a new version (source 'review').

    The change's target must still read as it did in the reviewed version.

    \b
    Examples:
      okr review accept plan 2                  # change 2 of plan's latest review
      okr review accept plan 1 --review 3       # change 1 of plan's review 3
      okr review accept plan 2 --text "Cut p95 latency from 900 ms to 300 ms by June"
    """
    from assistant.cli.core import app, run

    outcome = run(
        app().accept_review_change(
            draft,
            change,
            review_id=None if review_id is None else _stored_id(draft, review_id),
            text=text,
            author=author,
        )
    )
    info = outcome.version
    if not outcome.created:
        click.echo(f"Nothing changed: {info.draft}@{info.number} already reads like that.")
        return
    score = f" — overall {info.scores.overall}/100" if info.scores else ""
    click.echo(f"Saved {info.draft}@{info.number} ({info.message}){score}")


@click.command("reviews")
@click.argument("name", metavar="DRAFT")
@click.argument("review_id", type=click.IntRange(1), required=False, metavar="[ID]")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True
)
@output_option("Write it to a file.")
@click.option("--color/--no-color", default=None, help="Force colours on or off (text format).")
def reviews_command(
    name: str, review_id: int | None, fmt: str, output: str | None, color: bool | None
) -> None:
    """List a draft's stored reviews, or show review ID (e.g. as Markdown with -f markdown).

    Reviews are numbered per draft, 1 for its first; `okr review accept DRAFT N --review
    ID` takes the same number.

    \b
    Examples:
      okr reviews plan
      okr reviews plan 2 -f markdown -o review-2.md
      okr reviews plan --format json
    """
    from assistant.cli.core import app, run

    okr = app()
    if review_id is not None:
        from assistant.services.drafts import parse_ref

        draft = parse_ref(name)[0]
        review = run(okr.stored_review(_stored_id(draft, review_id), draft))
        review = _numbered(review, _numbers(draft))
        use_color = wants_color(color, output)
        emit(render_review(review, fmt, color=use_color), output, color=use_color)
        return
    # Numbered per draft (1 = the first review of this draft), as the commands take them.
    stored = run(okr.reviews(name))  # newest first
    infos = [i.model_copy(update={"id": len(stored) - k}) for k, i in enumerate(stored)]
    if fmt == "json":
        from assistant.domain.text_safety import dumps

        emit(dumps([i.model_dump(mode="json") for i in infos], indent=2) + "\n", output)
        return
    if not infos:
        click.echo(f"No reviews of '{name}' yet: {okr_command('review', name)}")
        return
    lines = []
    if fmt == "markdown":
        lines += [
            f"# Reviews of {name}",
            "",
            "| id | version | when | engine | reviewers | changes |",
        ]
        lines.append("|---:|---:|---|---|---|---|")
    for i in infos:
        when = i.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        accepted = f", accepted {','.join(map(str, i.accepted))}" if i.accepted else ""
        failed = f", {counted(i.failed_seats, 'seat')} failed" if i.failed_seats else ""
        changes = f"{i.top_changes}{accepted}{failed}"
        who = ",".join(i.personas)
        if fmt == "markdown":
            lines.append(f"| {i.id} | v{i.version} | {when} | {i.engine} | {who} | {changes} |")
        else:
            lines.append(
                f"{i.id:>4}  v{i.version:<3} {when}  {i.engine:<5} "
                f"{counted(i.rounds, 'round')}  {counted(i.top_changes, 'change')}"
                f"{accepted}{failed}  {who}"
            )
    if fmt == "text":
        lines.append(f"Show one: {okr_command('reviews', name)} ID [-f markdown]")
    from assistant.domain.text_safety import safe_text

    emit(safe_text("\n".join(lines) + "\n"), output)


@click.command("personas")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--yaml", "as_yaml", is_flag=True, help="Print NAME's persona file (to copy and edit)."
)
def personas_command(name: str | None, as_json: bool, as_yaml: bool) -> None:
    """List the reviewers `okr review` can seat: built-in and your own.

    Add your own as YAML files in $OKR_HOME/personas/; a file with a built-in's
    name replaces it. Start from a built-in one:

    \b
    Examples:
      okr personas
      okr personas finance-lead
      okr personas finance-lead --yaml > "$OKR_HOME/personas/cfo.yaml"
      (then change its name: and the rest)
    """
    from assistant.cli.core import app, run
    from assistant.services.personas import persona_source

    okr = app()
    entries = run(okr.personas())
    if name is not None:
        match = [e for e in entries if e.persona.name == name.lower()]
        if not match:
            known = ", ".join(e.persona.name for e in entries)
            raise UsageError(f"unknown persona '{name}' (known: {known})")
        entry = match[0]
        if as_yaml:
            click.echo(persona_source(entry), nl=False)
            return
        if as_json:
            import json

            data = entry.persona.model_dump(mode="json")
            data.update(origin=entry.origin, path=entry.path, overrides=entry.overrides)
            click.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        click.echo(entry.persona.card())
        click.echo(f"Default panel: {'yes' if entry.persona.default else 'no'}")
        click.echo(f"Lenses: {', '.join(entry.persona.lenses) or '-'}")
        click.echo(f"From: {entry.path} ({_origin(entry)})")
        return
    if as_yaml:
        raise UsageError("--yaml prints one persona: okr personas NAME --yaml")
    if as_json:
        import json

        click.echo(
            json.dumps(
                [
                    {
                        "name": e.persona.name,
                        "display_name": e.persona.display_name,
                        "role": e.persona.role,
                        "default": e.persona.default,
                        "origin": e.origin,
                        "overrides": e.overrides,
                        "path": e.path,
                    }
                    for e in entries
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    from rich.table import Table
    from rich.text import Text

    from assistant.render.safe import safe_console

    table = Table(show_edge=False, pad_edge=False)
    for column in ("name", "reviewer", "origin", "default"):
        table.add_column(column, no_wrap=column != "reviewer")
    for e in entries:
        p = e.persona
        table.add_row(p.name, Text(p.display_name), _origin(e), "✓" if p.default else "")
    console = safe_console(highlight=False)
    console.print(table)
    console.print(
        Text(
            f"Your own personas: {okr.paths.personas}/*.yaml · details: okr personas NAME",
            style="dim",
        )
    )


def _origin(entry: object) -> str:
    origin = getattr(entry, "origin", "")
    return "user (replaces built-in)" if getattr(entry, "overrides", False) else str(origin)


def register(group: click.Group) -> None:
    for command in (review_group, reviews_command, personas_command):
        group.add_command(command)
