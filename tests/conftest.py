"""Fixtures shared by the test modules."""

import os
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

    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "ARCHIVE_ROOT": str(seeds_dir)})
    yield app
    app.extensions["archive_index"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    """Runs the `archive` command in-process."""
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture
def make_archive(tmp_path: Path):
    """Writes dispatch files into a fresh folder under `tmp_path` and returns it:
    `make_archive({"a.txt": "texte", "b.bin": b"bytes"})`, with folders as needed."""

    def make(files: dict[str, str | bytes], name: str = "archive") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


@pytest.fixture(scope="session")
def opensearch_cluster(tmp_path_factory):
    """A real 3-node OpenSearch cluster on free loopback ports (scripts/cluster.py), green,
    for the whole session; stopped at the end. Skipped where Java, Maven or opensearch-py
    is missing, except under CI (`CI=true`), where `.ci/run` installs them: there their
    absence is a failure."""
    import opensearch_cluster

    reason = opensearch_cluster.missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"OpenSearch tests cannot run under CI: {reason}")
        pytest.skip(reason)
    cluster = opensearch_cluster.start(tmp_path_factory.mktemp("opensearch"))
    try:
        yield cluster
    finally:
        opensearch_cluster.stop(cluster)


@pytest.fixture
def make_index(tmp_path: Path, make_archive):
    """Indexes a crafted archive (`make_archive`'s files) into a fresh folder under
    `tmp_path` and returns the index folder: `make_index({"a.txt": "date 2019-01\n…"})`."""
    from index import reindex

    def make(files: dict[str, str | bytes], name: str = "archive") -> Path:
        directory = tmp_path / f"{name}-index"
        reindex(directory, [make_archive(files, name=name)])
        return directory

    return make
