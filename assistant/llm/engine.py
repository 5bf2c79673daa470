"""The LLM engine: one OKR set and its rules critique in, one grounded, re-scored
``SetCritique`` out.

Per set: the rules critique the caller already has (grounding and transparent scores;
the engine never runs the rules again) → messages from ``prompts/critique.md`` (filled
in one pass by ``llm.prompts.fill``) → cache lookup → structured ask → guards (valid
target, evidence is a substring, invented numbers replaced, rewrites re-scored) →
merged with the rules findings. Scores always come from the rules engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from assistant.config import Settings
from assistant.llm.bounds import answer_tokens, for_endpoint
from assistant.llm.cache import LLMCache, cache_key
from assistant.llm.client import ItemError, Usage, ask_structured, token_param
from assistant.llm.guards import (
    SPEC_CODES,
    implausible_rewrite,
    merge_findings,
    normalise_code,
    normalise_target,
    replace_invented,
    rescore_why,
    verify_evidence,
)
from assistant.llm.modes import ModeProbe
from assistant.llm.prompts import PromptTemplate, load_prompt
from assistant.llm.quotes import quotable_spans
from assistant.llm.schemas import (
    COMPACT_MAX_FINDINGS,
    LLM_CODES,
    MAX_FINDINGS,
    CoachCritique,
    CoachFinding,
    LenientCritique,
    schema_fingerprint,
    set_schema,
    split_findings,
)
from assistant.model import Finding, GuardStats, OKRSet, SetCritique
from assistant.rubric.critic import DUPLICATE, critique_set
from assistant.rubric.engine import duplicate_findings, order_findings

if TYPE_CHECKING:
    from openai import AsyncOpenAI

STYLES = ("questions", "balanced", "rewrite")


def item_label(okr_set: OKRSet) -> str:
    """``source#index``: how reports and errors name one set of a file."""
    return f"{okr_set.source or '-'}#{okr_set.index}"


def _number(value: float) -> str:
    return f"{value:g}"


# User text reaches the model as data only: inside a fenced block the system prompt names
# as untrusted, each value JSON-string escaped (no newline, quote, control character or
# backtick survives), so nothing in a KR can close the block or pose as instructions.
OKRS_FENCE = "untrusted-okrs"
FINDINGS_FENCE = "untrusted-findings"
LESSONS_FENCE = "untrusted-lessons"


def data_text(value: object) -> str:
    """``value`` as the inside of a JSON string, backticks escaped too."""
    return json.dumps(str(value), ensure_ascii=False)[1:-1].replace("`", "\\u0060")


def fenced(kind: str, lines: list[str]) -> str:
    return "\n".join([f"```{kind}", *lines, "```"])


def render_okrs(okr_set: OKRSet) -> str:
    """The set as the model sees it: one line per target with the SPEC §3 ids, in a
    fenced ``untrusted-okrs`` block, every value JSON-string escaped."""
    head = [f"SET: {data_text(okr_set.name or '(unnamed)')}"]
    if okr_set.owner:
        head.append(f"owner: {data_text(okr_set.owner)}")
    if okr_set.cycle:
        head.append(f"cycle: {data_text(okr_set.cycle)}")
    lines = [" | ".join(head)]
    for oi, objective in enumerate(okr_set.objectives, start=1):
        extra = f" ({data_text(objective.type)})" if objective.type else ""
        lines.append(f"O{oi}: {data_text(objective.title)}{extra}")
        for ki, kr in enumerate(objective.key_results, start=1):
            details = [
                f"{name}: {_number(v) if isinstance(v, float) else data_text(v)}"
                for name in ("baseline", "target", "unit", "deadline", "owner", "type")
                if (v := getattr(kr, name)) is not None
            ]
            suffix = f"  [{'; '.join(details)}]" if details else ""
            lines.append(f"- O{oi}.KR{ki}: {data_text(kr.text)}{suffix}")
    return fenced(OKRS_FENCE, lines)


def render_grounding(findings: list[Finding]) -> str:
    """The rules findings (they quote the user's text) in a fenced ``untrusted-findings``
    block."""
    if not findings:
        return "(none)"
    return fenced(
        FINDINGS_FENCE,
        [
            f'- {f.code} on {f.target} ({f.dimension}, {f.severity}): "{data_text(f.evidence)}"'
            f" — {data_text(f.message)}"
            for f in findings
        ],
    )


def render_lessons(lessons: Sequence[str]) -> str:
    """What the draft's last graded cycle taught (``LESSON-…: message`` lines; they quote
    the user's KRs) in a fenced ``untrusted-lessons`` block."""
    if not lessons:
        return "(none)"
    return fenced(LESSONS_FENCE, [f"- {data_text(text)}" for text in lessons])


def build_messages(
    okr_set: OKRSet,
    grounding: list[Finding],
    style: str,
    prompt: PromptTemplate | None = None,
    lessons: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Static system prompt first (prompt caching), then style, the OKRs, the findings and
    the lessons of the draft's last graded cycle."""
    prompt = prompt or load_prompt()
    if style not in prompt.styles:
        raise ValueError(f"unknown style {style!r}")
    return prompt.messages(
        style=prompt.styles[style],
        okrs=render_okrs(okr_set),
        findings=render_grounding(grounding),
        lessons=render_lessons(lessons),
    )


@dataclass
class ItemResult:
    """One set's outcome: the critique (rules-only with ``error`` set if the LLM failed)."""

    critique: SetCritique
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    error: str | None = None
    guards: GuardStats | None = None


RulesFor = Callable[[], SetCritique]


@dataclass
class Prepared:
    """One set ready to ask about. ``rules`` gives its rules critique as shown (the
    scores and findings the answer is merged with, and rewrites are re-scored
    against), computed by the caller when first needed."""

    okr_set: OKRSet
    rules: RulesFor
    messages: list[dict[str, Any]]
    key: str
    grounding: tuple[Finding, ...] = ()

    @property
    def base(self) -> SetCritique:
        return self.rules()


def own_findings(okr_set: OKRSet, rules: SetCritique) -> list[Finding]:
    """The set's rules findings as if it stood alone: the model's grounding.

    ``rules`` is the set's critique as shown, whose near-duplicate findings compare its
    KRs with the other sets of the file; those are replaced by the set's own (a
    duplicate check, not a second critique). So a set's messages, and its cache key,
    do not change when another set of the file does."""
    own = [f for f in rules.findings if f.code != DUPLICATE]
    return order_findings([*own, *duplicate_findings([okr_set])[0]])


Quotes = tuple[tuple[str, tuple[str, ...]], ...]


@lru_cache(maxsize=64)
def _set_schema(quotes: Quotes, codes: tuple[str, ...], max_findings: int) -> type[CoachCritique]:
    """One schema class per set text: a set critiqued again (the TUI) builds it once."""
    return set_schema(quotes, codes, max_findings)


@lru_cache(maxsize=64)
def _answer_tokens(schema: type[CoachCritique]) -> int | None:
    return answer_tokens(schema.model_json_schema())


def target_ids(okr_set: OKRSet) -> list[str]:
    """Every id a finding on this set may name: SET, then objectives and KRs in order."""
    return ["SET", *(str(tid) for tid, _part in okr_set.iter_targets())]


def target_quotes(okr_set: OKRSet, grounding: Sequence[Finding] = ()) -> Quotes:
    """Each id with the spans of its text a finding may quote (``llm.quotes``): the
    text, its clauses and the rules' evidence on it."""
    evidence: dict[str, list[str]] = {}
    for finding in grounding:
        evidence.setdefault(finding.target, []).append(finding.evidence)
    return tuple(
        (tid, tuple(quotable_spans(okr_set.target_text(tid), evidence.get(tid, ()))))
        for tid in target_ids(okr_set)
    )


def valid_codes() -> list[str]:
    return sorted(SPEC_CODES) + list(LLM_CODES)


def critique_prompt_name(settings: Settings) -> str:
    """``critique`` or ``critique_compact`` (small models): ``llm.prompt`` decides;
    ``auto`` picks the compact one for a local base URL."""
    from assistant.llm.client import is_local

    choice = settings.llm.prompt
    if choice == "auto":
        choice = "compact" if is_local(settings.llm.base_url) else "full"
    return "critique_compact" if choice == "compact" else "critique"


class LLMEngine:
    """Critiques sets with one shared client; remembers the structured-output mode."""

    def __init__(
        self,
        settings: Settings,
        *,
        client: AsyncOpenAI | None,
        cache: LLMCache | None,
        style: str,
        model: str | None = None,
        max_asks: int = 3,
        read_cache: bool = True,
        connect: Callable[[], AsyncOpenAI] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.connect = connect  # builds the client on the first cache miss
        self.cache = cache
        self.read_cache = read_cache
        self.style = style
        self.model = model or settings.llm.model
        self.max_asks = max_asks
        name = critique_prompt_name(settings)
        self.prompt = load_prompt(name)
        # The compact prompt asks for at most 5 findings, the full one for at most 8;
        # the schema says so too (``set_schema``), and bounds each text.
        compact = name == "critique_compact"
        self.max_findings = COMPACT_MAX_FINDINGS if compact else MAX_FINDINGS
        self.max_tokens = settings.llm.max_output_tokens
        # Every worker probes at once: a team file is at full concurrency from the start.
        self.probe = ModeProbe(settings, self.model, cache, serialise=False)
        self._schema = f"{schema_fingerprint(CoachCritique)}-{self.max_findings}"

    def prepare(
        self,
        okr_set: OKRSet,
        lessons: Sequence[str] = (),
        rules: SetCritique | RulesFor | None = None,
        *,
        grounding: Sequence[Finding] | None = None,
    ) -> Prepared:
        """The messages for one set and its cache key; the rules never run twice.

        ``rules``: the set's rules critique as shown, or a function that gives it when the
        answer is merged (a team file's first requests go out before the whole file is
        checked); None computes it here, for the set alone. ``grounding``: the findings
        the model is grounded on, by default the set's own (:func:`own_findings`).
        ``lessons`` (texts of the draft's last graded cycle) are grounding too, and being
        in the messages they are in the cache key: another lesson set is another request."""
        if rules is None:
            alone = critique_set(okr_set)
            rules, grounding = alone, alone.findings
        if isinstance(rules, SetCritique):
            critique = rules
            found = grounding if grounding is not None else own_findings(okr_set, critique)
            provider: RulesFor = lambda: critique  # noqa: E731 - one value, no state
        elif grounding is None:
            raise ValueError("a deferred rules critique needs its grounding")
        else:
            provider, found = rules, grounding
        messages = build_messages(okr_set, list(found), self.style, self.prompt, lessons)
        key = cache_key(
            model=self.model,
            prompt_id=self.prompt.id,
            style=self.style,
            schema=self._schema,
            messages=messages,
        )
        return Prepared(okr_set, provider, messages, key, tuple(found))

    def set_schema(self, prepared: Prepared) -> type[CoachCritique]:
        """The structured-output schema for this set: its ids, the valid codes, and per
        id the spans of its text the evidence may quote, as enums; at most
        ``max_findings`` findings, each text bounded. Without string lengths for a
        hosted endpoint (``llm.bounds.for_endpoint``)."""
        schema = _set_schema(
            target_quotes(prepared.okr_set, prepared.grounding),
            tuple(valid_codes()),
            self.max_findings,
        )
        return cast("type[CoachCritique]", for_endpoint(schema, self.settings.llm.base_url))

    def answer_cap(self, schema: type[CoachCritique]) -> int:
        """The output tokens for one ask: what the longest answer ``schema`` allows needs
        (a small model under a grammar that repeats itself ends there, not at the general
        limit, and is never cut off), else ``llm.max_output_tokens``."""
        needed = _answer_tokens(schema)
        return self.max_tokens if needed is None else min(self.max_tokens, needed)

    def cached_answer(self, prepared: Prepared) -> LenientCritique | None:
        if self.cache is None or not self.read_cache:
            return None
        hit = self.cache.get(prepared.key)
        if hit is None:
            return None
        try:
            return LenientCritique.model_validate_json(hit[0])
        except ValueError:
            return None

    def store(
        self, prepared: Prepared, answer: CoachCritique | LenientCritique, usage: Usage
    ) -> None:
        if self.cache is not None:
            self.cache.put(
                prepared.key,
                model=self.model,
                prompt=self.prompt.id,
                value=answer.model_dump_json(),
                usage=usage.to_dict(),
            )

    async def critique(self, okr_set: OKRSet, rules: SetCritique | None = None) -> ItemResult:
        """Critique one set. ``rules`` is its rules critique as shown (it may carry
        cross-set duplicates); the LLM is grounded on the set's own rules findings."""
        return await self.critique_prepared(self.prepare(okr_set, rules=rules))

    async def critique_prepared(self, prepared: Prepared) -> ItemResult:
        """The cached answer, else one ask; merged with the rules critique either way.
        Raises ``ItemError`` (``NotSent`` when the circuit breaker is open)."""
        shown = prepared.base
        answer = self.cached_answer(prepared)
        if answer is not None:
            critique, guards = self.finish_with_stats(prepared, answer, shown)
            return ItemResult(critique, cached=True, guards=guards)
        answer, usage = await self.ask(prepared)
        critique, guards = self.finish_with_stats(prepared, answer, shown)
        return ItemResult(critique, usage=usage, guards=guards)

    async def ask(self, prepared: Prepared) -> tuple[LenientCritique, Usage]:
        """Only the network part (callers may hold a semaphore just for this); the
        answer is stored in the cache before it is returned.

        Until a response mode is known to work for this endpoint and model, every
        worker's first ask probes it (a run is at full concurrency from the start; a
        server that rejects ``json_schema`` costs at most one refused request per
        worker, once); the mode that worked is remembered in the cache database for the
        next run, and a fallback is said once in ``notes``."""
        if self.client is None and self.connect is not None:
            self.client = self.connect()  # a fully cached run needs no key or SDK
        if self.client is None:
            raise ItemError("no answer in the cache and no client to ask")
        client = self.client

        schema = self.set_schema(prepared)
        max_tokens = self.answer_cap(schema)

        async def send(mode: str, known: bool) -> tuple[LenientCritique, Usage]:
            return await ask_structured(
                client,
                self.model,
                prepared.messages,
                LenientCritique,
                send_schema=schema,
                json_schema=self.settings.llm.json_schema,
                mode=mode,  # type: ignore[arg-type]
                mode_known=known,
                max_asks=self.max_asks,
                max_tokens=max_tokens,
                token_param_name=token_param(self.settings.llm.base_url),
                prompt_id=self.prompt.id,
            )

        answer, usage = await self.probe.ask(send)
        self.store(prepared, answer, usage)
        return answer, usage

    @property
    def mode(self) -> str:
        return self.probe.mode

    @property
    def mode_known(self) -> bool:
        return self.probe.known

    @property
    def notes(self) -> list[str]:
        return self.probe.notes

    def finish(
        self, prepared: Prepared, answer: CoachCritique | LenientCritique, shown: SetCritique
    ) -> SetCritique:
        return self.finish_with_stats(prepared, answer, shown)[0]

    def finish_with_stats(
        self, prepared: Prepared, answer: CoachCritique | LenientCritique, shown: SetCritique
    ) -> tuple[SetCritique, GuardStats]:
        """The merged critique and what the guards kept and dropped of the answer."""
        guards = GuardStats()
        if isinstance(answer, LenientCritique):
            findings, invalid, extra = split_findings(answer, self.max_findings)
            guards.drop("invalid finding", invalid)
            guards.drop(f"more than {self.max_findings} findings", extra)
        else:
            findings = list(answer.findings)
        llm_findings = ground_findings(prepared.okr_set, findings, prepared.base, guards)
        critique = shown.model_copy(
            update={"engine": "llm", "findings": merge_findings(shown.findings, llm_findings)}
        )
        return critique, guards


def ground_findings(
    okr_set: OKRSet,
    answer: CoachCritique | list[CoachFinding],
    base: SetCritique,
    guards: GuardStats | None = None,
) -> list[Finding]:
    """Turn the model's findings into SPEC findings that survived every guard;
    ``guards`` counts what was kept, dropped and withheld, and why."""
    guards = guards if guards is not None else GuardStats()
    items = answer.findings if isinstance(answer, CoachCritique) else answer
    out: list[Finding] = []
    for item in items:
        target = normalise_target(okr_set, item.target)
        if target is None:
            guards.drop("unknown target")
            continue
        text = okr_set.target_text(target)
        evidence = verify_evidence(text, item.evidence)
        if evidence is None:
            if target != "SET":
                guards.drop("evidence not in your text")
                continue
            evidence = text if item.evidence.strip() and item.evidence.strip() in text else ""
        rewrite = None
        if item.rewrite and item.rewrite.strip() and target != "SET":
            placed = replace_invented(" ".join(item.rewrite.split()), okr_set, target)
            why = implausible_rewrite(placed.text, text, item.question)
            if why is None:
                rewrite, why = rescore_why(okr_set, target, placed.text, base)
            if rewrite is not None:
                rewrite.invented_numbers = placed.invented
            elif why is not None:
                guards.withhold(why)
        guards.kept += 1
        out.append(
            Finding(
                code=normalise_code(item.code),
                target=target,
                line=okr_set.target_line(target),
                dimension=item.dimension,
                severity=item.severity,
                evidence=evidence,
                message=item.message.strip(),
                question=item.question.strip(),
                suggestion=item.suggestion.strip(),
                source="llm",
                rewrite=rewrite,
            )
        )
    return out
