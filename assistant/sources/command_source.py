"""A KR's number from a program's output. Off unless ``sources.allow_commands = true``:
an OKR file someone sends you must not run programs on your machine.

The command is split like a shell would (``shlex``) but runs without one (no pipes,
globs or ``$(…)``), from the current directory, with a timeout that ends its whole
process group. The number is the last non-empty line of its output.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess

from assistant.domain.source_spec import CommandSource, SourceSpec
from assistant.sources.expand import Expansion
from assistant.sources.reading import SourceContext, SourceError, SourceReading, as_number

MAX_OUTPUT = 64 * 1024  # what is kept of the output for the number and the error line


def argv_of(spec: CommandSource) -> list[str]:
    """The command's words as written (``${VAR}`` unexpanded)."""
    if isinstance(spec.location, list):
        return list(spec.location)
    try:
        return shlex.split(spec.location)
    except ValueError as exc:
        raise SourceError(
            "command", f"{spec.location}: cannot be split into words ({exc})"
        ) from None


def shown_of(spec: CommandSource) -> str:
    return spec.location if isinstance(spec.location, str) else shlex.join(spec.location)


def read_command(spec: SourceSpec, context: SourceContext) -> SourceReading:
    assert isinstance(spec, CommandSource)
    shown = shown_of(spec)
    if not context.allow_commands:
        raise SourceError(
            "command",
            f"{shown}: commands are not allowed; set sources.allow_commands = true in "
            "config.toml to run them",
        )
    expand = Expansion("command", context.env)
    argv = [expand(word, "command") for word in argv_of(spec)]
    if not argv:
        raise SourceError("command", "the command is empty")
    timeout = context.timeout_for(spec)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=context.cwd,
            env=dict(context.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # the timeout ends its children too
        )
    except FileNotFoundError:
        raise SourceError("command", f"{shown}: no such program '{argv_of(spec)[0]}'") from None
    except PermissionError:
        raise SourceError("command", f"{shown}: permission denied (not executable?)") from None
    except OSError as exc:
        raise expand.error(f"{shown}: cannot run ({exc.strerror or exc})") from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        raise SourceError("command", f"{shown}: timed out after {timeout:g} s") from None
    stdout = out[-MAX_OUTPUT:].decode("utf-8", "replace")
    if proc.returncode != 0:
        lines = [line for line in err[-MAX_OUTPUT:].decode("utf-8", "replace").splitlines()]
        said = next((line.strip() for line in reversed(lines) if line.strip()), "")
        raise expand.error(
            f"{shown}: exited with status {proc.returncode}" + (f": {said[:200]}" if said else "")
        )
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise SourceError("command", f"{shown}: printed nothing (empty result)")
    value = as_number(lines[-1], "command", f"{shown}: its output")
    return SourceReading("command", value, shown, spec.unit)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except ProcessLookupError:
        pass
