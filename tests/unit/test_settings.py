"""The embedded default database is one absolute path, whatever the working directory."""

from pathlib import Path

from config import ROOT, Settings


def test_the_default_database_does_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("TALLY_DATA_DIR", raising=False)
    urls = []
    for folder in (tmp_path, ROOT / "tests"):
        monkeypatch.chdir(folder)
        settings = Settings(_env_file=None)
        urls.append(settings.database_url)
        assert not settings.database_url_given
    assert urls == [f"sqlite:///{ROOT / 'tally.db'}"] * 2

    monkeypatch.setenv("TALLY_DATA_DIR", str(tmp_path / "data"))
    settings = Settings(_env_file=None)
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'tally.db'}"
    assert not settings.database_url_given and Path(settings.database_url[10:]).is_absolute()

    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/tally")
    settings = Settings(_env_file=None)
    assert settings.database_url_given and settings.database_url == "postgresql+psycopg://u@db.example/tally"
