"""Commands a message tells the user to paste (``Next: okr critique 'Sales Team'``).

Every hint that embeds a name, a path or an id is built here, so what is printed is what
a POSIX shell reads back as the intended words: ``okr draft --save 'Sales Team'`` must be
followed by ``okr critique 'Sales Team'``, not ``okr critique Sales Team`` (two arguments).
"""

from __future__ import annotations

import shlex

from assistant.domain.text_safety import safe_text


def okr_command(*words: str | int) -> str:
    """``okr`` and ``words``, each quoted as a shell needs (``shlex.quote``).

    Placeholders the user replaces (``N``, ``VALUE``, ``[-f markdown]``) are not words:
    append them to the result as plain text. A word with a control character cannot be
    pasted anyway; it is shown as a visible escape, never sent raw to the terminal.
    """
    return safe_text(shlex.join(["okr", *(str(word) for word in words)]))
