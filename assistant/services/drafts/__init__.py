"""Versioned drafts: the only API the CLI and the TUI use to save and browse revisions.

Every function takes the ``Store`` first, then plain inputs (draft names, an
``OKRSet``), and returns the records of ``assistant.domain.drafts``. One module per
purpose: ``versions`` (read, save, accept, restore, rename, delete), ``changes`` (the
diff of two versions), ``backup`` (export and import), ``integrity`` (``okr doctor``),
``names`` (draft names and references), ``source_text`` (the text a version was
written as). Each call is one unit of work; writes that belong together share the
caller's, which every call made inside it joins::

    with store.unit_of_work() as uow:
        result = drafts.save(store, name, okr_set, message)
        uow.reviews.record_acceptance(...)  # commits with the save, or neither does
"""

from __future__ import annotations

from assistant.domain.drafts import RETENTION_DAYS
from assistant.services.drafts.backup import BACKUP_FORMAT, export_all, export_version, import_path
from assistant.services.drafts.changes import compare, diff
from assistant.services.drafts.integrity import doctor
from assistant.services.drafts.names import check_name, default_author, parse_ref
from assistant.services.drafts.source_text import normalise, yaml_text
from assistant.services.drafts.versions import (
    accept,
    apply_rewrite,
    delete,
    draft_summary,
    get_version,
    history,
    list_drafts,
    purge,
    rename,
    restore,
    rewritten_text,
    save,
    score,
    undelete,
)

__all__ = [
    "BACKUP_FORMAT",
    "RETENTION_DAYS",
    "accept",
    "apply_rewrite",
    "check_name",
    "compare",
    "default_author",
    "delete",
    "diff",
    "doctor",
    "draft_summary",
    "export_all",
    "export_version",
    "get_version",
    "history",
    "import_path",
    "list_drafts",
    "normalise",
    "parse_ref",
    "purge",
    "rename",
    "restore",
    "rewritten_text",
    "save",
    "score",
    "undelete",
    "yaml_text",
]
