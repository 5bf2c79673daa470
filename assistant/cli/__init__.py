"""The ``okr`` command line. Each command group lives in its own module under
``assistant/cli/`` and exposes ``register(group)``; heavy imports (openai, textual)
happen inside commands so ``okr --help`` and the rules engine start fast."""

from __future__ import annotations

import importlib
import os
import sys

# okr is an application: pydantic's plugin scan (every installed distribution's entry
# points, ~30 ms) buys it nothing, and it is paid on every command. Set before any
# pydantic import; a user who wants a plugin can still set the variable themselves.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from collections.abc import Sequence  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402

from assistant import __version__
from assistant.domain.text_safety import safe_line, safe_text
from assistant.errors import InputError, OKRError

COMMAND_MODULES: tuple[str, ...] = (
    "critique",
    "drafts",
    "config",
    "batch",
    "tui",
    "review",
    "cycle",
    "draft",
    "logs",
    "evaluate",
    "sources",
)
# Which module registers each command, so ``okr critique`` builds (and imports) only its
# own module; ``okr --help``, an unknown name and ``commands`` load them all.
# tests/unit/test_rules.py checks this table against what the modules register.
COMMAND_HOMES: dict[str, str] = {
    **dict.fromkeys(("critique", "examples", "explain", "init", "rubric"), "critique"),
    **dict.fromkeys(
        (
            "delete",
            "diff",
            "doctor",
            "drafts",
            "export",
            "import",
            "log",
            "purge",
            "rename",
            "restore",
            "save",
            "show",
            "undelete",
        ),
        "drafts",
    ),  # fmt: skip
    "batch": "batch",
    "config": "config",
    "tui": "tui",
    **dict.fromkeys(("personas", "review", "reviews"), "review"),
    **dict.fromkeys(("checkin", "grade", "launch", "retro", "status"), "cycle"),
    "draft": "draft",
    "logs": "logs",
    "eval": "evaluate",
    **dict.fromkeys(("calibration", "sync"), "sources"),
}


class OKRGroup(click.Group):
    """Turns the project's own errors into one line and an exit code: bad input as
    ``path:line: message`` (``path: message`` when it has no line), the rest as
    ``okr: message``. The error's type says which, never the wording of its message.

    Commands are registered lazily, module by module (``COMMAND_HOMES``)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._loaded: set[str] = set()

    def load(self, *modules: str) -> None:
        """Register the commands of ``modules`` (all of them when none is named)."""
        for name in modules or COMMAND_MODULES:
            if name not in self._loaded:
                self._loaded.add(name)
                importlib.import_module(f"assistant.cli.{name}").register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        home = COMMAND_HOMES.get(cmd_name)
        self.load(*((home,) if home else ()))
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load()
        return super().list_commands(ctx)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's errors as one line too: a usage error names the command and its
        ``--help``; Ctrl-C is exit 130; a prompt with no terminal to answer it is exit 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "okr"
            message = safe_text(" ".join(exc.format_message().split()))
            click.echo(f"{where}: {message} (see '{where} --help')", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"okr: {safe_text(' '.join(exc.format_message().split()))}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort as exc:
            if isinstance(exc.__context__, EOFError):
                click.echo("okr: no terminal to answer the question; pass --yes", err=True)
                sys.exit(2)
            click.echo("okr: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OKRError as exc:
            line = str(exc) if isinstance(exc, InputError) else f"okr: {exc}"
            # File names, keys and server text are untrusted: one line, no controls.
            click.echo(safe_line(line), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:  # Ctrl-C anywhere (before the LLM loop too): 130, as after it
            click.echo("okr: interrupted", err=True)
            sys.exit(130)
        finally:
            from assistant.cli import core

            core.reset()  # one App per command (tests run many commands in one process)


@click.group(cls=OKRGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="okr")
@click.option(
    "--no-log",
    is_flag=True,
    envvar="OKR_NO_LOG",
    help="Do not log this command's LLM requests (see 'okr logs').",
)
def main(no_log: bool) -> None:
    """okr-coach: write better OKRs.

    Critiques Objectives and Key Results on clarity, measurability and
    ambition, quoting your own words, asking the questions a good coach
    would, and suggesting rewrites that never invent your numbers.

    \b
    Start here:
      okr init my-okrs.yaml          write a template draft
      okr critique my-okrs.yaml      get coached (offline rules engine)
      okr examples                   learn from good and weak OKRs
      okr rubric / okr explain CODE  what the coach checks, and why
    """
    if no_log:
        from assistant.cli import core

        core.no_log()
