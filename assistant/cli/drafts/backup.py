"""``okr export`` (one version, or a backup of everything) and ``okr import``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.cli.drafts.common import app, esc, new_console, run, shell_quote, split_ref
from assistant.cli.options import output_option
from assistant.domain.plural import counted
from assistant.errors import UsageError
from assistant.paths import write_output

if TYPE_CHECKING:
    from assistant.domain.drafts import ImportedDraft
    from assistant.services.drafts.backup import ExistingDraftError

_EXPORT_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".md": "markdown", ".json": "json"}


@click.command("export", short_help="Export a version, or back up every draft (--all).")
@click.argument("ref", metavar="NAME[@V]", required=False)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["yaml", "md", "markdown", "json"]),
    help="Output format (default: from -o's extension, else yaml).",
)
@output_option("Write to FILE instead of stdout.")
@click.option(
    "--all",
    "all_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Back up every draft with its full history (deleted ones too) into DIR.",
)
def export_command(
    ref: str | None, fmt: str | None, output: str | None, all_dir: str | None
) -> None:
    """Export one version as an OKR file, or back up everything with --all.

    A single version is written as YAML, Markdown or JSON that `okr critique`
    and `okr save` read back (as it was written, comments kept, when the version
    has its text in that format). `--all DIR` writes one JSON file per draft with
    every version, its hash, message, author, source, scores and text, plus
    manifest.json; `okr import DIR` restores it and verifies every hash.

    \b
    Examples:
      okr export "Platform team" --format md -o platform.md
      okr export growth@3 --format json
      okr export --all ~/okr-backup
    """
    if all_dir is not None:
        if ref or output or fmt:
            raise UsageError("--all DIR backs up every draft; it takes no NAME, --format or -o")
        written = run(app().export_all(Path(all_dir)))
        new_console().print(f"Backed up {counted(len(written), 'draft')} to {esc(all_dir)}")
        return
    if not ref:
        raise UsageError("name a draft to export (NAME or NAME@V), or use --all DIR")
    if fmt is None:
        fmt = _EXPORT_SUFFIXES.get(Path(output).suffix.lower(), "yaml") if output else "yaml"
    name, number = split_ref(ref)
    text = run(app().export(name, number, fmt))
    if output is None:
        from assistant.domain.text_safety import safe_text

        click.echo(safe_text(text), nl=False)  # a stored set on a terminal: no raw controls
        return
    write_output(output, text)  # the umask's mode; a missing folder is one line, exit 2
    click.echo(f"Wrote {output}", err=True)


@click.command("import")
@click.argument("path", type=click.Path(allow_dash=True), metavar="PATH")
@click.option(
    "--draft", "-d", metavar="NAME", help="Draft name (a single set or a single draft backup)."
)
@click.option("-m", "--message", metavar="MSG", help="Message for versions made from an OKR file.")
@click.option("--author", metavar="A", help="Author for versions made from an OKR file.")
@click.option(
    "--format-in",
    type=click.Choice(["yaml", "markdown", "md", "json", "csv"]),
    help="Input format when it cannot be told from the file name (stdin).",
)
@click.option(
    "--as-version",
    is_flag=True,
    help="A set whose draft exists becomes that draft's next version, without asking.",
)
@click.option(
    "--as-new",
    metavar="NAME",
    help="The file's set becomes a new draft NAME (when a draft has its name already).",
)
def import_command(
    path: str,
    draft: str | None,
    message: str | None,
    author: str | None,
    format_in: str | None,
    as_version: bool,
    as_new: str | None,
) -> None:
    """Import a backup or an OKR file.

    \b
    A backup (a directory from `okr export --all`, or one draft's .json from it)
    is restored with its full history. Every hash and chain head is verified
    first (and each file against the manifest's checksum); versions already
    present are skipped, and a draft whose history differs is refused (nothing is
    written) — import it under another name with --draft. Only plain files inside
    the backup folder are read, at most 50 MB each.
    An OKR file (yaml, md, json, csv) becomes the next version of each set's
    draft, with source "import". When a draft of that name exists already, okr
    asks on a terminal (its next version / a new draft / cancel); elsewhere pass
    --as-version or --as-new NAME.

    \b
    Examples:
      okr import ~/okr-backup
      okr import ~/okr-backup/growth.json --draft growth-restored
      okr import team.csv -m "Imported from the planning sheet"
      okr import growth.yaml --as-version
    """
    from assistant.services.drafts.backup import ExistingDraftError

    if as_version and as_new is not None:
        raise UsageError("--as-version and --as-new NAME exclude each other; give one")
    okr = app()
    options = dict(draft=draft, message=message, author=author, format_in=format_in)
    try:
        existing = "version" if as_version else "ask"
        results = run(okr.import_path(path, existing=existing, as_new=as_new, **options))
    except ExistingDraftError as exc:
        answer = _ask_existing(exc)
        if answer is None:
            click.echo("Nothing was imported.", err=True)
            return
        if answer == "":
            results = run(okr.import_path(path, existing="version", **options))
        else:
            results = run(okr.import_path(path, as_new=answer, **options))
    _report(results)


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _report(results: list[ImportedDraft]) -> None:
    console = new_console()
    for r in results:
        state = "new draft" if r.new_draft else "existing draft"
        skipped = f", {r.skipped} already present" if r.skipped else ""
        console.print(f"{esc(r.name)}: {counted(r.added, 'version')} added ({state}{skipped})")


@contextmanager
def _asking() -> Iterator[None]:
    """Ctrl-C leaves as an interrupt (exit 130); the end of input changes nothing (exit 2)."""
    try:
        yield
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise UsageError(
            "the input ended before the question was answered; nothing was imported"
        ) from None


def _ask_existing(exc: ExistingDraftError) -> str | None:
    """The user's answer to an import into existing drafts: ``""`` their next version, a
    name (a new draft), None (cancel). Without a terminal: the one-line hint, exit 2."""
    from assistant.domain.text_safety import safe_text

    quoted = ", ".join(f"'{safe_text(n)}'" for n in exc.names)
    listed = (
        f"draft {quoted} already exists"
        if len(exc.names) == 1
        else (f"drafts {quoted} already exist")
    )
    new_hint = f"--as-new {shell_quote(exc.suggestion)}" if exc.sets == 1 else None
    if not stdin_is_terminal():
        also = f", or {new_hint} for a new draft" if new_hint else ""
        raise UsageError(
            f"{safe_text(exc.path)}: {listed}; pass --as-version to import the file as "
            f"{'its next version' if len(exc.names) == 1 else 'their next versions'}{also}"
        ) from None
    choices = ["v", "n", "c"] if new_hint else ["v", "c"]
    offer = (
        "[v] its next version, [n] a new draft, [c] cancel"
        if new_hint
        else "[v] their next versions, [c] cancel"
    )
    with _asking():
        choice = click.prompt(
            f"{listed[0].upper()}{listed[1:]}. Import {safe_text(exc.path)} as {offer}",
            type=click.Choice(choices),
            default="c",
            err=True,
        )
        if choice == "c":
            return None
        if choice == "v":
            return ""
        return str(click.prompt("Name of the new draft", default=exc.suggestion, err=True))
