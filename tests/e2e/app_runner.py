"""`python app.py ...` from a test: in this process through the same Typer app (fast), or with `real` as a
subprocess of app.py itself, for the smoke runs that prove the entry point. Either way the command sees
only the environment given, so a developer's own .env or database never leaks in."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from cli import cli
from config import get_settings

ROOT = Path(__file__).resolve().parents[2]
OWN = ("DATABASE_URL", "TALLY_", "OPENAI_")  # settings a test names itself


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_app(cwd: Path, args: list[str] | tuple[str, ...], env: dict[str, str], *, stdin: str | None = None,
            real: bool = False, timeout: float = 180) -> Ran:
    if real:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(OWN)} | env
        done = subprocess.run([sys.executable, str(ROOT / "app.py"), *args], input=stdin, capture_output=True,
                              text=True, cwd=cwd, env=environ, timeout=timeout)
        return Ran(done.returncode, done.stdout, done.stderr)
    environ: dict[str, str | None] = {k: None for k in os.environ if k.startswith(OWN)} | env
    get_settings.cache_clear()
    here, handlers = Path.cwd(), list(logging.getLogger().handlers)
    os.chdir(cwd)  # relative paths in the arguments, and the data folder, are the command's own
    try:
        result = CliRunner().invoke(cli, list(args), input=stdin, env=environ)
    finally:
        os.chdir(here)
        for handler in set(logging.getLogger().handlers) - set(handlers):  # a process's log file ends with it
            logging.getLogger().removeHandler(handler)
            handler.close()
        get_settings.cache_clear()
        gc.collect()  # the command's engine and its pooled connections go with it
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
