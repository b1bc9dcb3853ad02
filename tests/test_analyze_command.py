"""`moderation analyze` explains a comment: metrics, findings with spans, decision."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from moderation.cli_analysis import analyze_command
from moderation.services.demo import MISSPELLED, PROMPT

METRIC_KEYS = {"words", "sentences", "syllables", "characters", "flesch_reading_ease",
               "flesch_kincaid_grade", "gunning_fog", "smog_index", "coleman_liau_index",
               "automated_readability_index", "dale_chall", "difficult_words",
               "lexical_diversity", "reading_time_s"}


@pytest.fixture
def cli():
    return Flask(__name__).test_cli_runner()


def test_json_output_shape_and_spans_into_the_input_as_given(cli, tmp_path):
    text = "Café ☕ first line.\r\nAccording to , Astrava is wrong. Mail: kai@example.com"
    path = tmp_path / "comment.txt"
    path.write_bytes(text.encode("utf-8"))
    result = cli.invoke(analyze_command, [str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"metrics", "findings", "decision"}
    assert set(data["metrics"]) == METRIC_KEYS
    assert data["decision"] == "hold"
    for finding in data["findings"]:
        assert set(finding) == {"rule", "severity", "message", "spans", "value", "threshold",
                                "advice"}
    spans = {f["rule"]: f["spans"] for f in data["findings"]}
    start, end = spans["personal_info"][0]
    assert text[start:end] == "kai@example.com"


def test_text_output_explains_a_real_comment(cli, tmp_path):
    (tmp_path / "prompt.md").write_text(PROMPT)
    result = cli.invoke(analyze_command, ["-", "--prompt", str(tmp_path / "prompt.md")],
                        input=MISSPELLED)
    assert result.exit_code == 0, result.output
    assert "[hold] empty_citation: A citation is missing its source" in result.output
    assert "[hold] spelling: " in result.output and '"becuase" (did you mean "because"?)' \
        in result.output
    assert "Astrava" not in result.output.split("spelling:")[1].split("\n")[0]  # in the prompt
    assert "flesch_kincaid_grade" in result.output
    assert result.output.rstrip().endswith("Decision: hold")


def test_policy_file_and_bad_policy(cli, tmp_path):
    (tmp_path / "policy.json").write_text(json.dumps({"min_words": 0, "disabled_rules":
                                                      ["empty_citation", "spelling"]}))
    result = cli.invoke(analyze_command, ["-", "--json", "--policy",
                                          str(tmp_path / "policy.json")], input=MISSPELLED)
    assert json.loads(result.output)["decision"] == "approve"
    (tmp_path / "bad.json").write_text('{"max_links": "two"}')
    result = cli.invoke(analyze_command, ["-", "--policy", str(tmp_path / "bad.json")],
                        input="hi")
    assert result.exit_code == 2 and "max_links must be a whole number" in result.output


def test_blocked_text_decision(cli):
    result = cli.invoke(analyze_command, ["-", "--json"], input="What the f*ck.")
    assert json.loads(result.output)["decision"] == "block"


def test_non_utf8_input_is_a_clear_error(cli, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9".encode("latin-1"))
    result = cli.invoke(analyze_command, [str(path)])
    assert result.exit_code == 2 and "not UTF-8" in result.output
