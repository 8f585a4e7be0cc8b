"""Fixtures shared by the test modules."""

from pathlib import Path

import pytest


@pytest.fixture
def seeds_dir() -> Path:
    """The two original dispatches shipped in `seeds/`."""
    return Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture
def index_dir(tmp_path: Path, seeds_dir: Path) -> Path:
    """A real index of the seeds, built in `tmp_path`."""
    from index import reindex

    directory = tmp_path / "index"
    reindex(directory, [seeds_dir])
    return directory


@pytest.fixture
def app(index_dir: Path, seeds_dir: Path):
    """The web app over the seeds' index."""
    from web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "ARCHIVE_ROOT": str(seeds_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    """Runs the `archive` command in-process."""
    from click.testing import CliRunner

    return CliRunner()
