"""``okr logs``: every LLM request of every command, what it cost, and switching it off."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from assistant.cli.core import app, run
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.store.llm_log import DayTotal, LoggedCall


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"--since: '{value}' is not a date (YYYY-MM-DD)") from None


def _summary(entry: LoggedCall) -> dict[str, Any]:
    call = entry.call
    return {
        "id": entry.id,
        "at": call.at.isoformat(timespec="seconds"),
        "command": call.command,
        "model": call.model,
        "base_url": call.base_url,
        "prompt": call.prompt,
        "mode": call.mode,
        "prompt_tokens": call.prompt_tokens,
        "completion_tokens": call.completion_tokens,
        "cached_tokens": call.cached_tokens,
        "cost_usd": entry.cost_usd,
        "seconds": call.seconds,
        "outcome": call.outcome,
    }


def _whole(entry: LoggedCall) -> dict[str, Any]:
    return {**_summary(entry), "messages": list(entry.call.messages), "reply": entry.call.reply}


def _total(total: DayTotal) -> dict[str, Any]:
    return {
        "day": total.day,
        "model": total.model,
        "requests": total.requests,
        "prompt_tokens": total.prompt_tokens,
        "completion_tokens": total.completion_tokens,
        "cost_usd": total.cost_usd,
    }


def _cost(value: float | None) -> str:
    return "–" if value is None else f"${value:.4f}"


def _emit_json(data: Any) -> None:
    from assistant.domain.text_safety import dumps

    click.echo(dumps(data, ensure_ascii=False, indent=2))


def _console() -> Any:
    from assistant.render.safe import safe_console

    return safe_console(highlight=False, soft_wrap=False)


def _table(entries: list[LoggedCall]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    for name, justify in (
        ("id", "right"),
        ("at (UTC)", "left"),
        ("command", "left"),
        ("model", "left"),
        ("tokens in/out", "right"),
        ("cost", "right"),
        ("s", "right"),
        ("outcome", "left"),
    ):
        wraps = name == "outcome"  # the rest stay whole; an error wraps
        table.add_column(name, justify=justify, no_wrap=not wraps, overflow="fold")  # type: ignore[arg-type]
    for entry in entries:
        call = entry.call
        table.add_row(
            str(entry.id),
            call.at.strftime("%m-%d %H:%M"),
            Text(call.command),
            Text(call.model),
            f"{call.prompt_tokens:,}/{call.completion_tokens:,}",
            _cost(entry.cost_usd),
            f"{call.seconds:.1f}",
            Text(call.outcome),
        )
    _console().print(table)


def _show(entry: LoggedCall) -> None:
    from rich.text import Text

    console = _console()
    for key, value in _summary(entry).items():
        console.print(Text(f"{key}: {value if value is not None else '–'}"))
    for message in entry.call.messages:
        console.print(Text(f"\n--- {message.get('role', '?')} ---", style="bold"))
        console.print(Text(str(message.get("content", ""))))
    console.print(Text("\n--- reply ---", style="bold"))
    console.print(Text(entry.call.reply if entry.call.reply is not None else "(none)"))


def _totals(totals: list[DayTotal]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    for name, justify in (
        ("day (UTC)", "left"),
        ("model", "left"),
        ("requests", "right"),
        ("tokens in", "right"),
        ("tokens out", "right"),
        ("cost", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for total in totals:
        table.add_row(
            total.day,
            Text(total.model),
            f"{total.requests:,}",
            f"{total.prompt_tokens:,}",
            f"{total.completion_tokens:,}",
            _cost(total.cost_usd),
        )
    _console().print(table)


@click.command("logs")
@click.argument("what", required=False, metavar="[ID|on|off]")
@click.option("-n", "--limit", type=click.IntRange(1), default=20, show_default=True,
              help="How many requests to list, newest first.")  # fmt: skip
@click.option("--since", metavar="DATE", help="Only requests on or after DATE (YYYY-MM-DD).")
@click.option("--totals", is_flag=True, help="Tokens and cost per day and model.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
def logs_command(
    what: str | None, limit: int, since: str | None, totals: bool, as_json: bool
) -> None:
    """What was sent to the LLM, what came back, and what it cost.

    Every LLM request of every command (critique, review, draft, retro, eval) is
    logged in the data home: time, command, model, base URL, prompt, response
    mode, the messages sent, the reply, tokens, cost, seconds and outcome — the
    API key scrubbed. 'okr logs off' stops logging, 'okr logs on' resumes it;
    'okr --no-log COMMAND' skips it for one run.

    \b
    Examples:
      okr logs                      the last 20 requests
      okr logs -n 100 --since 2026-12-01
      okr logs 42                   one request whole: messages and reply
      okr logs --totals             tokens and cost per day and model
      okr logs --json | jq '.[0]'
      okr logs off                  stop logging (okr logs on resumes)
    """
    core = app()
    if what in ("on", "off"):
        run(core.switch_logging(what == "on"))
        click.echo(f"LLM request logging is {what}.")
        return
    if what is not None:
        if not what.isdigit():
            raise UsageError(f"'{what}' is not a log id (a number), 'on' or 'off'")
        entry = run(core.logged_call(int(what)))
        if entry is None:
            raise UsageError(f"no logged request {what} (see `okr logs`)")
        if as_json:
            _emit_json(_whole(entry))
        else:
            _show(entry)
        return
    if totals:
        found = run(core.log_totals(_since(since)))
        if as_json:
            _emit_json([_total(t) for t in found])
        elif not found:
            click.echo("No LLM requests logged yet.")
        else:
            _totals(found)
        return
    entries = run(core.logged_calls(limit, _since(since)))
    if as_json:
        _emit_json([_summary(e) for e in entries])
        return
    if not entries:
        state = "" if core.logging_enabled() else " (logging is off: `okr logs on`)"
        click.echo(f"No LLM requests logged yet{state}.")
        return
    _table(entries)
    if not core.logging_enabled():
        click.echo("Logging is off: new requests are not recorded (`okr logs on`).")


def register(group: click.Group) -> None:
    group.add_command(logs_command)
