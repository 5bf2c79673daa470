"""`okr review`, `okr review accept` and `okr reviews` as a user runs them."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from llm.fake_server import FakeOpenAI
from review_fakes import review_answer

from assistant.app import App, bootstrap
from assistant.cli import main
from assistant.io import read_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAN = """
name: Plan
cycle: 2026-Q1
objectives:
  - title: Make onboarding effortless
    key_results:
      - Reach 50% week-1 activation
      - Launch the new onboarding flow
"""


def okr(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def app(okr_home: Path) -> Iterator[App]:
    app = bootstrap(okr_home)
    yield app
    app.close()


def test_review_a_file_offline_in_every_format(tmp_path: Path) -> None:
    weak = str(EXAMPLES / "weak.yaml")
    text = okr("review", weak, "--engine", "rules", "--no-color")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Peer review: Customer Success")
    assert "Offline review (rules engine)" in text.stdout and "Top changes" in text.stdout
    data = json.loads(
        okr("review", weak, "--engine", "rules", "-f", "json", "--rounds", "1").stdout
    )
    assert data["engine"] == "rules" and data["rounds"] == 1 and len(data["seats"]) == 5
    assert {"agreements", "disagreements", "top_changes", "open_questions"} <= set(
        data["synthesis"]
    )
    out = tmp_path / "review.md"
    md = okr(
        "review",
        weak,
        "--engine",
        "rules",
        "-f",
        "markdown",
        "-o",
        str(out),
        "--personas",
        "finance-lead, data-analyst",
    )
    assert md.exit_code == 0 and md.stdout == ""
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# Peer review: Customer Success")
    assert "Reviewers: Farah (finance lead), Dev (data analyst)." in written


def test_a_team_file_needs_set(tmp_path: Path) -> None:
    team = str(EXAMPLES / "team.yaml")
    result = okr("review", team, "--engine", "rules")
    assert result.exit_code == 2 and "holds 4 sets; pick one with --set N or NAME" in result.stderr
    chosen = okr("review", team, "--engine", "rules", "--set", "sales", "-f", "json")
    assert chosen.exit_code == 0 and json.loads(chosen.stdout)["set_name"] == "Sales"


def test_usage_errors_are_one_line_exit_2() -> None:
    for args, message in (
        (("review", "nope", "--engine", "rules"), "'nope' is neither a file nor a draft"),
        (("review", "missing.yaml"), "missing.yaml"),
        (("review", str(EXAMPLES / "weak.yaml"), "--personas", "cfo"), "unknown persona 'cfo'"),
        (("review", str(EXAMPLES / "weak.yaml"), "--rounds", "3"), "--rounds"),
        (("reviews", "nope"), "unknown draft 'nope'"),
    ):
        result = okr(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output


def test_draft_review_is_stored_listed_shown_and_accepted(app: App) -> None:
    asyncio.run(app.save("plan", read_text(PLAN, "plan.yaml", "yaml")[0], "first"))
    run = okr("review", "plan", "--engine", "rules", "--personas", "finance-lead,data-analyst")
    assert run.exit_code == 0
    assert (
        "Saved as review 1 of plan@1; accept a change with: okr review accept plan N" in run.stderr
    )
    listing = okr("reviews", "plan")
    assert listing.exit_code == 0 and listing.stdout.lstrip().startswith("1  v1")
    shown = okr("reviews", "plan", "1", "-f", "markdown")
    assert shown.stdout.startswith("# Peer review: Plan (plan@1)")
    coloured = okr("reviews", "plan", "1", "--color").stdout  # codes, not "\\x1b[1m"
    assert "\x1b[" in coloured and "\\x1b[" not in coloured
    changes = json.loads(okr("reviews", "plan", "1", "-f", "json").stdout)["synthesis"][
        "top_changes"
    ]
    n = next(i for i, c in enumerate(changes, start=1) if c["rewrite"])
    accepted = okr("review", "accept", "plan", str(n))
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.startswith(f"Saved plan@2 (Accept review 1 change {n}:")
    assert asyncio.run(app.version("plan")).source == "review"
    again = okr("review", "accept", "plan", str(n), "--review", "1")
    assert again.exit_code == 2 and "changed since review 1" in again.stderr
    assert json.loads(okr("reviews", "plan", "-f", "json").stdout)[0]["accepted"] == [n]


@pytest.mark.parametrize("plan", [{}, {"Reviewer id: data-analyst": ["500"] * 20}])
def test_llm_review_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, plan: dict[str, list[str]]
) -> None:
    with FakeOpenAI(answer=review_answer, plan=plan, retry_after_500="0.01") as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
        result = okr("review", str(EXAMPLES / "weak.yaml"), "--engine", "llm", "--no-color")
    assert "LLM review: model gpt-4o-mini" in result.stdout
    assert "gpt-4o-mini: " in result.stderr and " requests, " in result.stderr
    if not plan:
        assert result.exit_code == 0, result.output
        assert "gpt-4o-mini: 11 requests" in result.stderr
    else:
        # the rest of the review is still printed; exit 3 says one seat could not finish
        assert result.exit_code == 3
        assert "okr: Dev (data analyst): round 1: HTTP 500" in result.stderr
        assert "Farah (finance lead)" in result.stdout


def test_llm_review_learns_the_servers_mode_once_and_remembers_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that answers 500 to json_schema (llama-cpp-python's) costs at most one
    refused probe per reviewer in the first review (they ask at once: one slow reviewer
    must not hold the others) and none in the next: the mode that worked is remembered
    per base URL and model, like critique's, and said once."""
    with FakeOpenAI(
        answer=review_answer, json_schema=False, format_status=500, retry_after_500="0.01"
    ) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
        first = okr("review", str(EXAMPLES / "weak.yaml"), "--engine", "llm", "--no-color")
        assert first.exit_code == 0, first.output
        probes = [r for r in fake.chat_requests() if "json_schema" in str(r.body)]
        assert 1 <= len(probes) <= 5  # round 1's five reviewers, never round 2
        assert len(fake.chat_requests()) == 11 + len(probes)
        assert "note: the server does not support json_schema output" in first.stderr

        fake.reset()
        second = okr("review", str(EXAMPLES / "weak.yaml"), "--engine", "llm", "--no-color")
        assert second.exit_code == 0, second.output
        assert len(fake.chat_requests()) == 11
        assert all(r.body["response_format"] == {"type": "json_object"} for r in fake.requests)
        assert "note:" not in second.stderr


def test_accepting_a_review_change_keeps_the_authors_comments(app: App) -> None:
    commented = "# our Q1 plan, agreed with Sam\n" + PLAN.lstrip().replace(
        "  - title: Make onboarding effortless\n",
        "  - title: Make onboarding effortless  # the one that matters\n",
    )
    asyncio.run(
        app.save("plan", read_text(commented, "plan.yaml", "yaml")[0], "first", text=commented)
    )
    assert okr("review", "plan", "--engine", "rules").exit_code == 0
    changes = json.loads(okr("reviews", "plan", "1", "-f", "json").stdout)["synthesis"][
        "top_changes"
    ]
    n, change = next((i, c) for i, c in enumerate(changes, start=1) if c["rewrite"])
    assert okr("review", "accept", "plan", str(n)).exit_code == 0
    shown = okr("show", "plan").stdout
    assert "# our Q1 plan, agreed with Sam" in shown
    assert "# the one that matters" in shown
    assert change["rewrite"] in shown
    assert (
        asyncio.run(app.version("plan")).okr_set.target_text(change["target"])
        == (change["rewrite"])
    )


def test_dry_run_shows_each_seats_messages_and_the_estimate_and_sends_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    weak = str(EXAMPLES / "weak.yaml")
    with FakeOpenAI(answer=review_answer) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
        text = okr("review", weak, "--dry-run")
        data = json.loads(
            okr(
                "review", weak, "--dry-run", "--rounds", "1", "-f", "json",
                "--personas", "finance-lead,data-analyst",
            ).stdout
        )  # fmt: skip
        assert fake.chat_requests() == []
    assert text.exit_code == 0, text.output
    out = text.stdout
    assert out.startswith("Dry run: nothing is sent.")
    assert "review-persona-v" in out and "review-facilitator-v" in out
    for persona in ("finance-lead", "engineering-manager", "new-team-member"):
        assert f"=== round 1: {persona} (" in out and f"=== round 2: {persona} (" in out
        assert f"Reviewer id: {persona}\n" in out  # each seat's own card is shown
    assert out.count("=== round 1: ") == 5 and out.count("=== facilitator: ") == 1
    assert "O1.KR3: Grow MRR to $80k and NPS to 45" in out  # the OKRs the reviewers read
    assert "--- system: identical to round 1: finance-lead ---" in out  # printed once
    assert "Would send 11 requests: ~" in out and "cost ~$" in out

    plan = data["dry_run"]
    assert [i["item"] for i in plan["items"]] == [
        "round 1: finance-lead",
        "round 1: data-analyst",
        "facilitator",
    ]
    assert plan["requests"] == 3 and plan["model"] == "gpt-4o-mini"
    assert plan["estimated_prompt_tokens"] == sum(
        i["estimated_prompt_tokens"] for i in plan["items"]
    )
    assert all(i["messages"] and i["estimated_completion_tokens"] > 0 for i in plan["items"])
    assert plan["estimated_cost_usd"] == 0  # a local server costs nothing

    # a stored draft, with no key at all: the plan is shown, nothing is stored
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("OPENAI_BASE_URL")
    asyncio.run(app.save("plan", read_text(PLAN, "plan.yaml", "yaml")[0], "first"))
    stored = okr("review", "plan@1", "--dry-run", "--rounds", "1")
    assert stored.exit_code == 0, stored.output
    assert "Would send 6 requests" in stored.stdout
    assert "Endpoint https://api.openai.com/v1" in stored.stdout
    assert re.search(r"cost ~\$0\.\d*[1-9]", stored.stdout)  # OpenAI's price for the model
    assert "O1.KR1: Reach 50% week-1 activation" in stored.stdout
    assert "Saved as review" not in stored.stderr
    assert asyncio.run(app.reviews("plan")) == []
