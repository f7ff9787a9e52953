"""manifest.yml against Slack's own app manifest schema (slackapi/manifest-schema v0.5.0, MIT, kept in
tests/data so the check runs offline): what Slack would refuse on "create from manifest" fails here."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "data" / "slack_manifest.schema.1.0.0.json").read_text())


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def errors(manifest: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]


def test_manifest_passes_slacks_schema(manifest):
    assert manifest["_metadata"]["major_version"] == 1  # the schema version kept in tests/data
    assert errors(manifest) == []


def test_manifest_uses_the_agent_view_not_the_legacy_assistant_view(manifest):
    features = manifest["features"]
    assert "assistant_view" not in features
    agent = features["agent_view"]
    assert agent["agent_description"] and all(p["title"] and p["message"] for p in agent["suggested_prompts"])


@pytest.mark.parametrize("break_it", [
    lambda m: m["features"]["agent_view"].update(assistant_description="the legacy key"),
    lambda m: m["features"]["agent_view"]["suggested_prompts"].extend([{"title": "t", "message": "m"}] * 4),
    lambda m: m["features"]["agent_view"].update(agent_description="x" * 301),
    lambda m: m["features"]["agent_view"]["suggested_prompts"][0].pop("message"),
    lambda m: m["features"].update(agent_views={}),
])
def test_the_schema_check_catches_what_slack_refuses(manifest, break_it):
    broken = copy.deepcopy(manifest)
    break_it(broken)
    assert errors(broken)
