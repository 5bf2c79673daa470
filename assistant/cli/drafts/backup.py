"""``okr export`` (one version, or a backup of everything) and ``okr import``."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.cli.drafts.common import app, esc, new_console, run, split_ref
from assistant.errors import UsageError
from assistant.paths import write_text_atomic

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
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout."
)
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
        new_console().print(f"Backed up {len(written)} draft(s) to {esc(all_dir)}")
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
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write ({exc.strerror or exc})") from None
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
def import_command(
    path: str, draft: str | None, message: str | None, author: str | None, format_in: str | None
) -> None:
    """Import a backup or an OKR file.

    \b
    A backup (a directory from `okr export --all`, or one draft's .json from it)
    is restored with its full history. Every hash is verified first; versions
    already present are skipped, and a draft whose history differs is refused
    (nothing is written) — import it under another name with --draft.
    An OKR file (yaml, md, json, csv) becomes the next version of each set's
    draft, with source "import".

    \b
    Examples:
      okr import ~/okr-backup
      okr import ~/okr-backup/growth.json --draft growth-restored
      okr import team.csv -m "Imported from the planning sheet"
    """
    results = run(
        app().import_path(path, draft=draft, message=message, author=author, format_in=format_in)
    )
    console = new_console()
    for r in results:
        state = "new draft" if r.new_draft else "existing draft"
        skipped = f", {r.skipped} already present" if r.skipped else ""
        console.print(f"{esc(r.name)}: {r.added} version(s) added ({state}{skipped})")
