"""Reading a backup's files as hostile input: only plain files, only inside the backup
folder, never more than ``MAX_BACKUP_FILE_BYTES``, and JSON that is text.

A manifest names its draft files; a name that is a path (absolute, with a separator,
``..``), a symbolic link, a device or a FIFO is refused before anything is opened for
reading, and the file is opened without following links and without blocking, then
checked again on the open descriptor (so a swap between the check and the open is
caught too). Every refusal is one ``InputError`` line; nothing is imported.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from assistant.errors import InputError, one_line

MAX_BACKUP_FILE_BYTES = 50 * 1024 * 1024
_SEPARATORS = re.compile(r"[\\/]")


def plain_name_problem(name: Any) -> str | None:
    """Why ``name`` (from a manifest) is not the name of a file inside the backup folder."""
    if not isinstance(name, str) or not name.strip():
        return "names no file"
    if "\x00" in name:
        return f"names {name!r}, which holds a NUL character"
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).drive or name.startswith("~"):
        return f"names {name!r}, an absolute path: only files inside the backup folder are read"
    if _SEPARATORS.search(name) or name in (".", ".."):
        return f"names {name!r}, a path: only plain file names inside the backup folder are read"
    return None


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _too_big(size: int) -> str:
    return (
        f"is {size / 1024 / 1024:.0f} MB, over the {MAX_BACKUP_FILE_BYTES // 1024 // 1024} MB "
        "a backup file may be; nothing was imported"
    )


def read_plain(path: Path, *, follow: bool = False) -> bytes:
    """The bytes of ``path`` if it is a regular file under the size cap. ``follow``: the
    path the user typed may be a link to a file; files a manifest names may not."""
    label = str(path)
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        raise InputError(label, "no such file") from None
    except OSError as exc:
        raise InputError(label, f"cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(label, f"is {_kind(st.st_mode)}; a backup is read only from plain files")
    if st.st_size > MAX_BACKUP_FILE_BYTES:
        raise InputError(label, _too_big(st.st_size))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(label, f"cannot open ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):  # swapped since the check above
            raise InputError(
                label, f"is {_kind(st.st_mode)}; a backup is read only from plain files"
            )
        data = fh.read(MAX_BACKUP_FILE_BYTES + 1)
    if len(data) > MAX_BACKUP_FILE_BYTES:
        raise InputError(label, _too_big(len(data)))
    return data


def inside(folder: Path, name: Any, manifest: str) -> Path:
    """The path of a file the manifest names, refused unless a plain name in ``folder``."""
    problem = plain_name_problem(name)
    if problem:
        raise InputError(manifest, f"{problem}; nothing was imported")
    return folder / str(name)


def _no_constants(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


def parse_json(data: bytes, label: str) -> Any:
    """JSON text from untrusted bytes: UTF-8, no NaN/Infinity, no lone surrogates, no
    integers longer than Python parses, no nesting deeper than it recurses."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(label, f"not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise InputError(label, f"invalid JSON: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(label, f"invalid JSON ({one_line(exc, 120)})") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(label, "holds a lone surrogate (\\ud800-\\udfff): not text") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(label, f"invalid JSON ({one_line(exc, 120)})") from None
    return value


def looks_like(path: Path, marker: str) -> bool:
    """Whether ``path`` is a regular ``.json`` file whose first 4 KB mention ``marker``
    (read without following it into a device or FIFO, and never more than 4 KB)."""
    if path.suffix.lower() != ".json":
        return False
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return False
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return False
            head = fh.read(4096)
    except OSError:
        return False
    return marker.encode("utf-8") in head
