"""`python app.py doctor` says what works and what to fix: settings, database and migrations, Slack's
auth.test and scopes, the model endpoint; it exits 1 when anything needs fixing."""

from __future__ import annotations

from pathlib import Path

import yaml

from db.migrate import upgrade
from db.session import Database
from tests.e2e.app_runner import run_app
from tests.fakes.openai_server import ScriptedOpenAI
from tests.fakes.openai_steps import reply
from tests.fakes.slack_api import MockSlack

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
MANIFEST_SCOPES = ",".join(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tally.db'}"
    db = Database(url)
    upgrade(db.engine)
    db.dispose()
    return url


def test_a_migrated_console_install_is_healthy_and_says_what_is_not_set_up(tmp_path):
    result = run_app(tmp_path, ["doctor"], {"DATABASE_URL": migrated(tmp_path)}, real=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   database" in result.stdout and "skip slack" in result.stdout and "skip model" in result.stdout


def test_an_unmigrated_or_unreachable_database_is_named_with_the_fix(tmp_path):
    fresh = run_app(tmp_path, ["doctor"], {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    assert fresh.returncode == 1 and "run `python app.py migrate`" in fresh.stdout
    assert not (tmp_path / "new.db").exists()  # the doctor looks; it creates nothing
    down = run_app(tmp_path, ["doctor"], {"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none"})
    assert down.returncode == 1 and "does not answer" in down.stdout and "Check DATABASE_URL" in down.stdout


def test_slack_and_the_model_are_asked_and_missing_scopes_named(tmp_path):
    url = migrated(tmp_path)
    with MockSlack() as slack, ScriptedOpenAI() as llm:
        env = {"DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-123-abc", "SLACK_SIGNING_SECRET": "s3cret",
               "SLACK_API_URL": slack.base_url, "TALLY_MODEL": "m", "OPENAI_API_KEY": "k",
               "OPENAI_BASE_URL": llm.base_url}
        slack.scopes = "chat:write,commands"
        llm.push(reply("pong"))
        partial = run_app(tmp_path, ["doctor"], env)
        assert partial.returncode == 1 and "FIX  slack" in partial.stdout and "users:read" in partial.stdout
        assert "ok   model" in partial.stdout
        slack.scopes = MANIFEST_SCOPES
        llm.push(reply("pong"))
        healthy = run_app(tmp_path, ["doctor"], env)
        assert healthy.returncode == 0, healthy.stdout
        assert slack.calls_to("auth.test") and not slack.calls_to("chat.postMessage")
    gone = run_app(tmp_path, ["doctor"], env)  # both servers stopped
    assert gone.returncode == 1 and "FIX  model" in gone.stdout and "FIX  slack" in gone.stdout
