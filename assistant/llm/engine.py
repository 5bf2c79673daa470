"""The LLM engine: one OKR set in, one grounded, re-scored ``SetCritique`` out.

Per set: rules critique (grounding and transparent scores) → messages from
``prompts/critique.md`` (filled in one pass by ``llm.prompts.fill``) → cache lookup →
structured ask → guards (valid target, evidence is a substring, invented numbers
replaced, rewrites re-scored) → merged with the rules findings. Scores always come from the rules engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from assistant.llm.cache import LLMCache, cache_key
from assistant.llm.client import ItemError, Usage, ask_structured, token_param
from assistant.llm.guards import (
    merge_findings,
    normalise_code,
    normalise_target,
    replace_invented,
    rescore,
    verify_evidence,
)
from assistant.llm.prompts import PromptTemplate, load_prompt
from assistant.llm.schemas import CoachCritique, schema_fingerprint
from assistant.model import Finding, OKRSet, SetCritique
from assistant.rubric.critic import critique_set

if TYPE_CHECKING:
    from openai import AsyncOpenAI

STYLES = ("questions", "balanced", "rewrite")


def item_label(okr_set: OKRSet) -> str:
    """``source#index``: how reports and errors name one set of a file."""
    return f"{okr_set.source or '-'}#{okr_set.index}"


def _number(value: float) -> str:
    return f"{value:g}"


def render_okrs(okr_set: OKRSet) -> str:
    """The set as the model sees it: one line per target, with the SPEC §3 ids."""
    head = [f"SET: {okr_set.name or '(unnamed)'}"]
    if okr_set.owner:
        head.append(f"owner: {okr_set.owner}")
    if okr_set.cycle:
        head.append(f"cycle: {okr_set.cycle}")
    lines = [" | ".join(head)]
    for oi, objective in enumerate(okr_set.objectives, start=1):
        extra = f" ({objective.type})" if objective.type else ""
        lines.append(f"O{oi}: {objective.title}{extra}")
        for ki, kr in enumerate(objective.key_results, start=1):
            details = [
                f"{name}: {_number(v) if isinstance(v, float) else v}"
                for name in ("baseline", "target", "unit", "deadline", "owner", "type")
                if (v := getattr(kr, name)) is not None
            ]
            suffix = f"  [{'; '.join(details)}]" if details else ""
            lines.append(f"- O{oi}.KR{ki}: {kr.text}{suffix}")
    return "\n".join(lines)


def render_grounding(findings: list[Finding]) -> str:
    if not findings:
        return "(none)"
    return "\n".join(
        f'- {f.code} on {f.target} ({f.dimension}, {f.severity}): "{f.evidence}" — {f.message}'
        for f in findings
    )


def build_messages(
    okr_set: OKRSet, grounding: list[Finding], style: str, prompt: PromptTemplate | None = None
) -> list[dict[str, Any]]:
    """Static system prompt first (prompt caching), then style, the OKRs and the findings."""
    prompt = prompt or load_prompt()
    if style not in prompt.styles:
        raise ValueError(f"unknown style {style!r}")
    return prompt.messages(
        style=prompt.styles[style],
        okrs=render_okrs(okr_set),
        findings=render_grounding(grounding),
    )


@dataclass
class ItemResult:
    """One set's outcome: the critique (rules-only with ``error`` set if the LLM failed)."""

    critique: SetCritique
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    error: str | None = None


@dataclass
class Prepared:
    okr_set: OKRSet
    base: SetCritique
    messages: list[dict[str, Any]]
    key: str


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
    ) -> None:
        self.settings = settings
        self.client = client
        self.cache = cache
        self.read_cache = read_cache
        self.style = style
        self.model = model or settings.llm.model
        self.max_asks = max_asks
        self.max_tokens = settings.llm.max_output_tokens
        self.prompt = load_prompt()
        self.mode: str = "json_schema" if settings.llm.json_schema else "json_object"
        self._schema = schema_fingerprint(CoachCritique)

    def prepare(self, okr_set: OKRSet) -> Prepared:
        """Rules critique of the set alone (stable grounding per set) and the messages."""
        base = critique_set(okr_set)
        messages = build_messages(okr_set, base.findings, self.style, self.prompt)
        key = cache_key(
            model=self.model,
            prompt_id=self.prompt.id,
            style=self.style,
            schema=self._schema,
            messages=messages,
        )
        return Prepared(okr_set, base, messages, key)

    def cached_answer(self, prepared: Prepared) -> CoachCritique | None:
        if self.cache is None or not self.read_cache:
            return None
        hit = self.cache.get(prepared.key)
        if hit is None:
            return None
        try:
            return CoachCritique.model_validate_json(hit[0])
        except ValueError:
            return None

    def store(self, prepared: Prepared, answer: CoachCritique, usage: Usage) -> None:
        if self.cache is not None:
            self.cache.put(
                prepared.key,
                model=self.model,
                prompt=self.prompt.id,
                value=answer.model_dump_json(),
                usage=usage.to_dict(),
            )

    async def critique(self, okr_set: OKRSet, shown: SetCritique | None = None) -> ItemResult:
        """Critique one set. ``shown`` is the rules critique to merge with (it may carry
        cross-set duplicates); the LLM is grounded on the set's own rules findings."""
        return await self.critique_prepared(self.prepare(okr_set), shown)

    async def critique_prepared(
        self, prepared: Prepared, shown: SetCritique | None = None
    ) -> ItemResult:
        shown = shown or prepared.base
        answer = self.cached_answer(prepared)
        if answer is not None:
            return ItemResult(self.finish(prepared, answer, shown), cached=True)
        answer, usage = await self.ask(prepared)
        return ItemResult(self.finish(prepared, answer, shown), usage=usage)

    async def ask(self, prepared: Prepared) -> tuple[CoachCritique, Usage]:
        """Only the network part (callers may hold a semaphore just for this); the
        valid answer is stored in the cache before it is returned."""
        if self.client is None:
            raise ItemError("no answer in the cache and no client to ask")
        answer, usage = await ask_structured(
            self.client,
            self.model,
            prepared.messages,
            CoachCritique,
            json_schema=self.settings.llm.json_schema,
            mode=self.mode,  # type: ignore[arg-type]
            max_asks=self.max_asks,
            max_tokens=self.max_tokens,
            token_param_name=token_param(self.settings.llm.base_url),
        )
        if usage.mode:
            self.mode = usage.mode
        self.store(prepared, answer, usage)
        return answer, usage

    def finish(self, prepared: Prepared, answer: CoachCritique, shown: SetCritique) -> SetCritique:
        llm_findings = ground_findings(prepared.okr_set, answer, prepared.base)
        return shown.model_copy(
            update={"engine": "llm", "findings": merge_findings(shown.findings, llm_findings)}
        )


def ground_findings(okr_set: OKRSet, answer: CoachCritique, base: SetCritique) -> list[Finding]:
    """Turn the model's findings into SPEC findings that survived every guard."""
    out: list[Finding] = []
    for item in answer.findings:
        target = normalise_target(okr_set, item.target)
        if target is None:
            continue
        text = okr_set.target_text(target)
        evidence = verify_evidence(text, item.evidence)
        if evidence is None:
            if target != "SET":
                continue
            evidence = text if item.evidence.strip() and item.evidence.strip() in text else ""
        rewrite = None
        if item.rewrite and item.rewrite.strip() and target != "SET":
            placed = replace_invented(" ".join(item.rewrite.split()), okr_set)
            if placed.text.strip() != text.strip():
                rewrite = rescore(okr_set, target, placed.text, base)
                if rewrite is not None:
                    rewrite.invented_numbers = placed.invented
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
