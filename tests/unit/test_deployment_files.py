"""The deployment files run the commands that exist, on the settings the app reads."""

from __future__ import annotations

from pathlib import Path

import typer.main
import yaml

from cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_postgres_two_web_workers_without_their_own_scheduler_and_one_scheduler():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert set(compose) == {"db", "web", "scheduler"}
    assert compose["web"]["command"][2:] == ["serve", "--workers", "2", "--no-scheduler"]
    assert compose["scheduler"]["command"][2:] == ["scheduler"]
    for name in ("web", "scheduler"):
        assert compose[name]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert compose[name]["depends_on"]["db"]["condition"] == "service_healthy"
    commands = typer.main.get_command(cli).commands
    assert {"serve", "scheduler", "doctor"} <= set(commands)
    options = {p.name for p in commands["serve"].params}
    assert {"workers", "scheduler"} <= options


def test_the_image_copies_every_module_the_app_imports_and_checks_its_health():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for module in ("app.py", "cli.py", "config.py", "doctor.py", "wiring.py", "manifest.yml"):
        assert module in dockerfile, module
    for package in ("bot", "core", "db", "tools", "evals", "prompts"):
        assert f"COPY {package} {package}" in dockerfile, package
    assert "/healthz" in dockerfile
