"""What the TUI asks of the App beyond the CLI's use cases.

The TUI reaches the store, the engines and the model only through the App (an
import-linter contract says so): opening ``okr tui FILE|DRAFT``, the coach on one
edited set (the one critique pipeline, ``app.critique``), a version with the text the
editor shows, whether the LLM can be asked, and the few pure rules of the services a
screen applies as the user types (draft names, finding keys, text comparison).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.use_cases.critique import CritiqueUseCases

if TYPE_CHECKING:
    from assistant.domain.drafts import Version
    from assistant.domain.review import Change
    from assistant.model import Finding, OKRSet
    from assistant.services.critique_run import CritiqueOutcome
    from assistant.services.learn import Example


class TuiUseCases(CritiqueUseCases):
    # --- opening ----------------------------------------------------------------------------

    async def open_target(self, target: str) -> str | None:
        """``okr tui FILE|DRAFT``: the draft to open. A file is imported first (a new
        version only when its content changed); a file with several sets opens the list
        (None). Anything else must name a live draft."""
        from assistant.errors import UsageError
        from assistant.services.drafts import import_path, list_drafts, parse_ref

        path = Path(target).expanduser()
        if path.is_file():
            imported = import_path(self.store, str(path))
            return imported[0].name if len(imported) == 1 else None
        name, _ = parse_ref(target)
        if any(d.name == name for d in list_drafts(self.store)):
            return name
        raise UsageError(f"{target}: no such file or draft (see `okr drafts`)")

    async def editor_version(self, name: str, number: int | None = None) -> tuple[Version, str]:
        """Version ``number`` (the latest when None) and the YAML the editor shows for it:
        the text it was written as when it has one (comments kept), else the canonical
        YAML."""
        from assistant.services.drafts import get_version, yaml_text

        version = get_version(self.store, name, number)
        return version, yaml_text(version.okr_set, version.text, version.text_format)

    # --- the coach --------------------------------------------------------------------------

    def llm_ready(self) -> bool:
        """Whether the LLM coach can be asked now: the settings resolve to the LLM engine
        and it has credentials (a key, or a local base URL: the CLI's rule)."""
        from assistant.services.engines import has_credentials, resolve_engine

        return resolve_engine(None, self.settings) == "llm" and has_credentials(self.settings)

    async def coach(self, okr_set: OKRSet, draft: str | None) -> CritiqueOutcome:
        """The LLM coach on the set being edited, through the one critique pipeline
        (``app.critique``): the rules once, the model building on their findings,
        grounded in the draft's last graded cycle."""
        from assistant.services.critique_run import CritiqueRequest

        return await self.critique(CritiqueRequest(sets=[okr_set], drafts=[draft], engine="llm"))

    # --- rules a screen applies while the user types ----------------------------------------

    @staticmethod
    def check_draft_name(name: str) -> str:
        """The name, cleaned; ``UsageError`` saying what is wrong with it."""
        from assistant.services.drafts import check_name

        return check_name(name, option=None)

    @staticmethod
    def finding_key(finding: Finding) -> str:
        """The stable key a dismissal is stored under (``source:code:target:hash``)."""
        from assistant.services.dismissals import finding_key

        return finding_key(finding)

    @staticmethod
    def score_change(okr_set: OKRSet, change: Change, text: str) -> int | None:
        """What accepting a review change with ``text`` does to the set's overall score:
        the target reworded, or (a change that adds one) a new key result of it."""
        from assistant.rubric.rewrites import score_rewrite
        from assistant.services.review.additions import score_addition

        if change.adds_key_result:
            scored = score_addition(okr_set, change.target, text)
        else:
            scored = score_rewrite(okr_set, change.target, text)
        return None if scored is None else scored.score_delta

    @staticmethod
    def same_text(a: str, b: str) -> bool:
        """Whether two texts are the same version's text (line ends, a byte-order mark
        and trailing blank lines aside)."""
        from assistant.services.drafts import normalise

        return normalise(a) == normalise(b)

    # --- what the screens show ----------------------------------------------------------------

    @staticmethod
    def retro_questions() -> tuple[tuple[str, str], ...]:
        """The retrospective's three questions: ``(key, question)``."""
        from assistant.services.retro import QUESTIONS

        return QUESTIONS

    @staticmethod
    def launch_means() -> str:
        """What launching a cycle means, said once after a launch."""
        from assistant.services.cycle import LAUNCH_MEANS

        return LAUNCH_MEANS

    @staticmethod
    def examples() -> tuple[Example, ...]:
        """The good and weak example sets of the Learn screen."""
        from assistant.services.learn import load_examples

        return load_examples()

    @staticmethod
    def primer() -> str:
        """The short OKR primer (Markdown, shipped with the package)."""
        from assistant.services.learn import primer

        return primer()
