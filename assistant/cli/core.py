"""The CLI's edge: one ``App`` per command, and the one place a use case is run.

Every command calls ``app()`` to get the process's ``App`` (built once, by
``assistant.app.bootstrap``) and ``run(app.use_case(...))`` to await it; Ctrl-C
inside a use case leaves as ``KeyboardInterrupt`` for ``OKRGroup`` (exit 130).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from assistant.app import App

T = TypeVar("T")

_app: App | None = None
_log_requests = True


def app() -> App:
    """The ``App`` of this command (built on first use: ``$OKR_HOME``, the config file and
    ``OKR_…`` overrides)."""
    global _app
    if _app is None:
        from assistant.app import bootstrap

        _app = bootstrap(log_requests=_log_requests)
    return _app


def no_log() -> None:
    """``--no-log``: this command's LLM requests are not logged."""
    global _log_requests
    _log_requests = False
    if _app is not None:
        _app.log_requests = False


def reset() -> None:
    """Forget the App (tests run many commands in one process, each with its own home)."""
    global _app, _log_requests
    if _app is not None:
        _app.close()
    _app, _log_requests = None, True


def command_name() -> str:
    """The running command as typed after ``okr`` (``critique``, ``batch submit``)."""
    import click

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return "okr"
    return " ".join(ctx.command_path.split()[1:]) or "okr"


def run(use_case: Coroutine[Any, Any, T], *, event_loop: bool = True) -> T:
    """Await a use case from synchronous click code; its LLM requests are logged under the
    command's name (``okr logs``) unless logging is off.

    ``event_loop=False`` is for a use case that never waits on anything (the rules
    engine): it is stepped to its end here, without importing asyncio or starting a
    loop (15-20 ms of a command's start). Should it wait after all, that is a bug:
    RuntimeError, rather than a hang."""
    if not event_loop:  # no LLM request either: nothing to log
        return _run_to_end(use_case)
    import asyncio

    from assistant.llm.call_log import logging_to

    with logging_to(app().call_log(), command_name()):
        result: list[T] = []

        async def main() -> None:
            # The main task returns nothing: on the way out, asyncio.run (3.11) formats the
            # task's repr, result included (a team file's report: 0.3 s of repr, twice).
            result.append(await use_case)

        asyncio.run(main())
        return result[0]


def _run_to_end(use_case: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that finishes in its first step (it awaits only
    coroutines that return without suspending)."""
    try:
        use_case.send(None)
    except StopIteration as done:
        return done.value
    use_case.close()
    raise RuntimeError("a use case run without an event loop waited on something")
