"""The SQLite store in the data home (``okr.db``): drafts, their versions, and the
migrations other features append to. Only ``assistant.services`` should use it."""

from assistant.store.db import ConflictError, StoreError, db_path, open_db, transaction

__all__ = ["ConflictError", "StoreError", "db_path", "open_db", "transaction"]
