"""Every structured-output schema states what its validator enforces.

A grammar-constrained server (llama.cpp) writes exactly what the schema allows: so each
count, enum and length a validator or guard holds an answer to has its twin in the
schema, the least and the most the schema allows pass the validators, and the longest
answer fits the ask's token cap. In the critique, evidence is an enum of the spans of
each target's own text, so such a server can only quote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openai.lib._parsing._completions import type_to_response_format_param
from pydantic import BaseModel

from assistant.config import Settings
from assistant.io import read_path
from assistant.llm.bounds import (
    CHARS_PER_TOKEN,
    answer_tokens,
    for_endpoint,
    longest_answer,
)
from assistant.llm.draft_schemas import Alternatives, DraftedSet
from assistant.llm.engine import LLMEngine, valid_codes
from assistant.llm.quotes import quotable_spans
from assistant.llm.schemas import CoachCritique, LenientCritique
from assistant.model import OKRSet
from assistant.rubric.critic import critique_set
from assistant.services import drafting_llm
from assistant.services.retro_llm import SUMMARY_TOKENS, RetroSummary
from assistant.services.review import synthesis
from assistant.services.review.llm_panel import _ANSWER_CAP, _ground_points
from assistant.services.review.schemas import (
    PersonaRepliesOut,
    PersonaReviewOut,
    SynthesisOut,
)

from .schema_exact import maximal, minimal

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

MODELS: list[type[BaseModel]] = [
    CoachCritique,
    DraftedSet,
    Alternatives,
    PersonaReviewOut,
    PersonaRepliesOut,
    SynthesisOut,
    RetroSummary,
]
ID_FIELDS = ("target", "to", "persona", "personas", "asked_by")
LOCAL = "http://127.0.0.1:8080/v1"
HOSTED = "https://api.openai.com/v1"
# What OpenAI's strict mode accepts (platform docs, "Supported schemas"): no string
# lengths; ``minItems``/``maxItems`` and enums are fine.
OPENAI_STRICT_KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "items", "enum", "anyOf",
    "$ref", "$defs", "description", "title", "minItems", "maxItems", "pattern", "format",
    "const",
}  # fmt: skip


def subschemas(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside ``node``, with where it is."""
    if isinstance(node, dict):
        if "type" in node or "enum" in node or "anyOf" in node or "$ref" in node:
            yield path, node
        for key, value in node.items():
            if key in ("enum", "required"):
                continue
            yield from subschemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from subschemas(value, f"{path}/{i}")


def engine_for(base_url: str = LOCAL, prompt: str = "compact") -> LLMEngine:
    settings = Settings()
    settings.llm.base_url = base_url
    settings.llm.prompt = prompt  # type: ignore[assignment]
    return LLMEngine(settings, client=None, cache=None, style="balanced")


def weak() -> OKRSet:
    return read_path(str(EXAMPLES / "weak.yaml"))[0]


def set_schema_of(okr_set: OKRSet, engine: LLMEngine) -> dict[str, Any]:
    return engine.set_schema(engine.prepare(okr_set)).model_json_schema()


def all_schemas() -> list[tuple[str, dict[str, Any]]]:
    out = [(m.__name__, m.model_json_schema()) for m in MODELS]
    for prompt in ("compact", "full"):
        out.append((f"set schema ({prompt})", set_schema_of(weak(), engine_for(prompt=prompt))))
    return out


# --- every list and text is bounded --------------------------------------------------------


@pytest.mark.parametrize(("name", "schema"), all_schemas(), ids=lambda v: str(v)[:30])
def test_every_list_has_a_cap_and_every_free_text_a_length(name: str, schema: dict) -> None:
    lists = [(p, n) for p, n in subschemas(schema) if n.get("type") == "array"]
    texts = [(p, n) for p, n in subschemas(schema) if n.get("type") == "string"]
    assert lists and texts
    assert [p for p, n in lists if "maxItems" not in n] == [], name
    assert [p for p, n in texts if "maxLength" not in n and "enum" not in n] == [], name
    assert longest_answer(schema) is not None  # nothing unbounded anywhere


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_validator_takes_what_the_schema_allows_and_clips_the_rest(
    model: type[BaseModel],
) -> None:
    schema = model.model_json_schema()
    check = Draft202012Validator(schema)
    for answer in (minimal(schema), maximal(schema)):
        check.validate(answer)
        assert model.model_validate(answer).model_dump(mode="json") == answer

    enums = {v for _p, node in subschemas(schema) for v in node.get("enum", ())}

    def overgrown(value: Any) -> Any:  # what an unconstrained model may write
        if isinstance(value, str) and len(value) > 2 and value not in enums:
            return value + " and then some more words that go on and on"
        if isinstance(value, list):
            return [overgrown(v) for v in value + value[:2]]
        if isinstance(value, dict):
            return {k: overgrown(v) for k, v in value.items()}
        return value

    too_much = overgrown(maximal(schema))
    assert not check.is_valid(too_much)
    clipped = model.model_validate(too_much).model_dump(mode="json")  # not refused
    # held to the schema's own bounds, but for the ids the guards map (``O1 KR2``, a
    # target's own text, a reviewer's display name) or drop
    for error in check.iter_errors(clipped):
        field = next(p for p in reversed(error.absolute_path) if isinstance(p, str))
        assert (error.validator, field) in {("maxLength", name) for name in ID_FIELDS}, error


def test_prose_is_clipped_at_a_word_and_quotes_stay_substrings() -> None:
    text = "Raise week-1 activation from 32% to 50% by 31 Mar 2026 " * 10
    finding = {
        "target": "O1.KR1", "code": "KR-VAGUE", "dimension": "clarity", "severity": "info",
        "evidence": text, "message": "word " * 100, "question": "q", "suggestion": "s",
        "rewrite": text,
    }  # fmt: skip
    answer = CoachCritique.model_validate({"findings": [finding]}).findings[0]
    assert answer.message.endswith("word…") and len(answer.message) <= 200
    assert text.startswith(answer.evidence) and len(answer.evidence) == 240
    assert answer.rewrite is not None and text.startswith(answer.rewrite)
    assert not answer.rewrite.endswith(("…", " "))


# --- each validator rule has its schema twin ---------------------------------------------


def test_drafting_counts_are_in_the_schema_and_its_extremes_pass_the_checks() -> None:
    schema = DraftedSet.model_json_schema()
    objectives = schema["properties"]["objectives"]
    key_results = schema["$defs"]["DraftedObjective"]["properties"]["key_results"]
    questions = schema["properties"]["questions"]
    assert (objectives["minItems"], objectives["maxItems"]) == (1, drafting_llm.MAX_OBJECTIVES)
    assert (key_results["minItems"], key_results["maxItems"]) == (
        2,
        drafting_llm.MAX_KEY_RESULTS,
    )
    assert questions["maxItems"] == drafting_llm.MAX_QUESTIONS
    assert schema["$defs"]["DraftedObjective"]["properties"]["title"]["minLength"] == 1

    least = DraftedSet.model_validate(minimal(schema))
    most = DraftedSet.model_validate(maximal(schema))
    assert drafting_llm._shape_problem(least) is None
    assert drafting_llm._shape_problem(most) is None
    okr_set, _invented = drafting_llm.to_set(most, drafting_llm.idea_reference("an idea"))
    assert [len(o.key_results) for o in okr_set.objectives] == [4, 4, 4]  # nothing cut

    # one below each minimum is what the check refuses, in its own words
    fewer = minimal(schema)
    fewer["objectives"][0]["key_results"].pop()
    problem = drafting_llm._shape_problem(DraftedSet.model_validate(fewer))
    assert problem == "objective 1 has 1 key result(s); 2-4 expected"
    none = {**minimal(schema), "objectives": []}
    assert "no objective" in str(drafting_llm._shape_problem(DraftedSet.model_validate(none)))


def test_exactly_three_alternatives_in_the_schema() -> None:
    schema = Alternatives.model_json_schema()
    alternatives = schema["properties"]["alternatives"]
    assert alternatives["minItems"] == alternatives["maxItems"] == drafting_llm.ALTERNATIVES
    least = Alternatives.model_validate(minimal(schema))
    assert len(least.alternatives) == 3 and drafting_llm._no_alternatives(least) is None


def test_review_caps_are_the_guards_caps() -> None:
    review = PersonaReviewOut.model_json_schema()["properties"]
    assert review["points"]["maxItems"] == 4 and review["questions"]["maxItems"] == 3
    replies = PersonaRepliesOut.model_json_schema()["properties"]["replies"]
    assert replies["maxItems"] == 4
    facilitator = SynthesisOut.model_json_schema()["properties"]
    assert facilitator["top_changes"]["maxItems"] == synthesis.TOP_CHANGES
    assert facilitator["open_questions"]["maxItems"] == synthesis.MAX_OPEN_QUESTIONS
    stance = PersonaRepliesOut.model_json_schema()["$defs"]["ReplyOut"]["properties"]["stance"]
    assert stance["enum"] == ["agree", "disagree", "refine"]


def test_the_most_a_reviewer_may_say_is_within_what_the_guards_keep() -> None:
    """The guards keep at most 6 points and 4 questions; the schema allows 4 and 3, each
    one grounded when it names a target and quotes it."""
    from assistant.services.personas import select_personas

    okr_set = weak()
    persona = select_personas(None, None)[0]
    most = maximal(PersonaReviewOut.model_json_schema())
    for point in most["points"]:
        point.update(target="O1.KR1", evidence="Launch the new onboarding flow")
    for question in most["questions"]:
        question["target"] = "O1"
    points, questions, dropped = _ground_points(
        persona, okr_set, PersonaReviewOut.model_validate(most)
    )
    assert (len(points), len(questions), dropped) == (4, 3, 0)


def test_the_critique_caps_findings_per_set_in_the_schema_and_the_validator() -> None:
    for prompt, cap in (("compact", 5), ("full", 8)):
        engine = engine_for(prompt=prompt)
        prepared = engine.prepare(weak())
        schema = engine.set_schema(prepared).model_json_schema()
        assert schema["properties"]["findings"]["maxItems"] == engine.max_findings == cap
        assert schema["$defs"]["Code"]["enum"] == valid_codes()
        answer = maximal(schema)
        answer["findings"] += answer["findings"][:2]  # an unconstrained model says more
        critique, guards = engine.finish_with_stats(
            prepared, LenientCritique.model_validate(answer), prepared.base
        )
        assert guards.dropped_by.get(f"more than {cap} findings") == 2
        assert guards.kept + guards.dropped == cap + 2


# --- evidence by construction --------------------------------------------------------------


def test_evidence_is_an_enum_of_each_targets_own_spans() -> None:
    okr_set = weak()
    schema = set_schema_of(okr_set, engine_for())
    variants = schema["properties"]["findings"]["items"]["anyOf"]
    ids = ["SET", *(str(tid) for tid, _ in okr_set.iter_targets())]
    assert [v["properties"]["target"]["enum"] for v in variants] == [[i] for i in ids]
    rules = critique_set(okr_set).findings
    for tid, variant in zip(ids, variants, strict=True):
        text = okr_set.target_text(tid)
        spans = variant["properties"]["evidence"]["enum"]
        assert spans[0] == text  # the target's whole text first
        assert all(span in text for span in spans)  # each one verbatim
        own = {f.evidence for f in rules if f.target == tid and f.evidence}
        assert own <= set(spans), tid  # and the rules' evidence on it
    # every answer the schema allows quotes the target it names
    for finding in maximal(schema)["findings"]:
        assert finding["evidence"] in okr_set.target_text(finding["target"])


def test_clauses_are_offered_as_quotes() -> None:
    spans = quotable_spans("Raise week-1 activation from 32% to 50% by 31 Mar 2026")
    assert spans == [
        "Raise week-1 activation from 32% to 50% by 31 Mar 2026",
        "by 31 Mar 2026",
        "Raise week-1 activation from 32% to 50%",
        "from 32% to 50%",
        "Raise week-1 activation",
        "to 50%",
    ]
    assert quotable_spans("Grow MRR to $80k and NPS to 45") == [
        "Grow MRR to $80k and NPS to 45",
        "Grow MRR to $80k",
        "Grow MRR",
        "to $80k",
        "NPS to 45",
        "NPS",
        "to 45",
    ]
    long = "Reach " + "very " * 80 + "many users"
    [head] = quotable_spans(long)
    assert long.startswith(head) and len(head) <= 240
    assert quotable_spans("") == [""]  # an unnamed set: only the empty quote


# --- the longest answer fits the ask ------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "cap"),
    [(m, c) for m, c in _ANSWER_CAP.items()]
    + [(DraftedSet, 4000), (Alternatives, 4000), (RetroSummary, SUMMARY_TOKENS)],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_the_longest_answer_fits_the_asks_token_cap(model: type[BaseModel], cap: int) -> None:
    schema = model.model_json_schema()
    most = json.dumps(maximal(schema), separators=(",", ":"), ensure_ascii=False)
    assert len(most) <= (longest_answer(schema) or 0)
    assert (answer_tokens(schema) or cap + 1) <= cap


def test_the_critique_asks_for_what_its_longest_answer_needs() -> None:
    for prompt in ("compact", "full"):
        engine = engine_for(prompt=prompt)
        schema = engine.set_schema(engine.prepare(weak()))
        needed = answer_tokens(schema.model_json_schema())
        assert needed is not None and engine.answer_cap(schema) == needed <= 4000
        most = json.dumps(maximal(schema.model_json_schema()), separators=(",", ":"))
        assert len(most) <= needed * CHARS_PER_TOKEN
    hosted = engine_for(HOSTED, prompt="full")  # no lengths sent: the general limit
    assert hosted.answer_cap(hosted.set_schema(hosted.prepare(weak()))) == 4000


# --- what goes on the wire ------------------------------------------------------------------


def test_hosted_strict_mode_gets_no_string_lengths_and_local_servers_get_them() -> None:
    for model in [*MODELS, engine_for().set_schema(engine_for().prepare(weak()))]:
        local = type_to_response_format_param(for_endpoint(model, LOCAL))
        hosted = type_to_response_format_param(for_endpoint(model, HOSTED))
        local_text, hosted_text = json.dumps(local), json.dumps(hosted)
        assert '"maxLength"' in local_text and '"maxLength"' not in hosted_text
        assert '"minLength"' not in hosted_text
        assert hosted_text.count('"maxItems"') == local_text.count('"maxItems"') > 0
        schema = hosted["json_schema"]["schema"]  # type: ignore[index]
        for path, node in subschemas(schema):
            assert set(node) <= OPENAI_STRICT_KEYWORDS, (model.__name__, path)
            if node.get("type") == "object":
                assert node["additionalProperties"] is False, path
                assert node["required"] == list(node["properties"]), path
        assert hosted["json_schema"]["strict"] is True  # type: ignore[index]
        assert for_endpoint(model, HOSTED).__name__ == model.__name__
    # the stripped schema validates exactly as the original does
    answer = maximal(DraftedSet.model_json_schema())
    hosted_model = for_endpoint(DraftedSet, HOSTED)
    assert (
        hosted_model.model_validate(answer).model_dump()
        == DraftedSet.model_validate(answer).model_dump()
    )
