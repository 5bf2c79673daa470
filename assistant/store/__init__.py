"""The SQLite store in the data home (``okr.db``): ``store.Store`` and its units of work,
the repositories that hold all SQL, and the migrations. Only services use it.

Names are imported on first use, so building the App never imports sqlite3."""

from __future__ import annotations

from typing import Any

__all__ = ["ConflictError", "StoreError", "db_path", "open_db", "transaction"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from assistant.store import db

        return getattr(db, name)
    raise AttributeError(f"module 'assistant.store' has no attribute '{name}'")
