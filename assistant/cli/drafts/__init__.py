"""Versioned drafts on the command line: save, drafts, log, show, diff, restore, rename,
export, import, delete, undelete, purge and doctor. Everything goes through the
``App``'s draft use cases; these modules only parse options and render.

``saving`` (save, restore) · ``browse`` (drafts, log, show) · ``diff`` · ``rename`` ·
``backup`` (export, import) · ``lifecycle`` (delete, undelete, purge) · ``doctor`` ·
``tables`` (the listing layout) · ``common`` (console, the App, JSON, small formatters).
"""

from __future__ import annotations

import click

from assistant.cli.drafts.backup import export_command, import_command
from assistant.cli.drafts.browse import drafts_command, log_command, show_command, sparkline
from assistant.cli.drafts.diff import diff_command
from assistant.cli.drafts.doctor import doctor_command
from assistant.cli.drafts.lifecycle import delete_command, purge_command, undelete_command
from assistant.cli.drafts.rename import rename_command
from assistant.cli.drafts.saving import restore_command, save_command

__all__ = ["COMMANDS", "register", "sparkline"]

COMMANDS = (
    save_command,
    drafts_command,
    log_command,
    show_command,
    diff_command,
    restore_command,
    rename_command,
    export_command,
    import_command,
    delete_command,
    undelete_command,
    purge_command,
    doctor_command,
)


def register(group: click.Group) -> None:
    for command in COMMANDS:
        group.add_command(command)
