"""Draft names and references (``NAME@3``), who a version is attributed to, and the
lookups every drafts service starts with (with a did-you-mean for unknown names)."""

from __future__ import annotations

import difflib
import getpass
import os
import re
from typing import TYPE_CHECKING

from assistant.domain.commands import okr_command
from assistant.domain.drafts import Version
from assistant.domain.text_safety import find_control
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.store.repo import DraftRow
    from assistant.store.store import UnitOfWork

_REF = re.compile(r"^(?P<name>.+)@(?:v?(?P<number>\d+)|(?P<latest>latest|head))$", re.IGNORECASE)


def default_author() -> str:
    """``$OKR_AUTHOR``, else the login name: who a version is attributed to by default."""
    explicit = os.environ.get("OKR_AUTHOR", "").strip()
    if explicit:
        return explicit
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``NAME``, ``NAME@3``, ``NAME@v3`` or ``NAME@latest`` → ``(name, number or None)``."""
    match = _REF.match(ref.strip())
    if not match:
        return ref.strip(), None
    number = match.group("number")
    return match.group("name"), int(number) if number is not None else None


def check_name(name: str, *, option: str | None = "--draft") -> str:
    """Draft names are shown in tables and typed on command lines: keep them sane.
    ``option`` is how the user gives another name (named in the hint, if any)."""
    cleaned = name.strip()
    if not cleaned:
        raise UsageError("a draft name cannot be empty")
    if len(cleaned) > 200:
        raise UsageError("a draft name can be at most 200 characters")
    if any(ord(ch) < 32 for ch in cleaned) or find_control(cleaned) is not None:
        raise UsageError("a draft name cannot contain line breaks or control characters")
    if _REF.match(cleaned):
        raise UsageError(
            f"draft name '{cleaned}' ends like a version reference (@N); choose another"
            + (f" with {option}" if option else "")
        )
    return cleaned


def unknown(name: str, uow: UnitOfWork | None = None) -> UsageError:
    """'unknown draft', with a did-you-mean when a live draft's name is close."""
    hint = "see `okr drafts`"
    if uow is not None:
        names = uow.drafts.live_names()
        by_case = [n for n in names if n.casefold() == name.casefold()]
        close = by_case or difflib.get_close_matches(name, names, n=1, cutoff=0.7)
        if close:
            hint = f"did you mean '{close[0]}'?"
    return UsageError(f"unknown draft '{name}' ({hint})")


def require(uow: UnitOfWork, name: str, *, deleted_ok: bool = False) -> DraftRow:
    """The draft row, or a one-line error saying it is unknown or deleted."""
    draft = uow.drafts.find(name)
    if draft is None:
        raise unknown(name, uow)
    if draft.deleted_at is not None and not deleted_ok:
        raise UsageError(
            f"draft '{name}' was deleted on {draft.deleted_at[:10]}; "
            f"`{okr_command('undelete', name)}` brings it back"
        )
    return draft


def version_of(uow: UnitOfWork, draft: DraftRow, number: int | None) -> Version:
    """Version ``number`` (the head when None), or an error naming the versions there are."""
    version = uow.versions.get(draft, number)
    if version is None:
        count = uow.versions.count(draft.id)
        raise UsageError(f"draft '{draft.name}' has no version {number} (it has v1–v{count})")
    return version
