"""An archive configured for an OpenSearch cluster that does not answer: the pages say
so in French with a 503, `archive reindex` stops with exit code 4 and one line, and
neither prints the password of the cluster's address."""

from __future__ import annotations

import socket

import pytest
from bs4 import BeautifulSoup

pytest.importorskip("opensearchpy")
pytestmark = pytest.mark.opensearch


@pytest.fixture
def silent_url() -> str:
    """The address of a port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://reader:s3cr3t@127.0.0.1:{port}"


@pytest.fixture
def app(silent_url, tmp_path):
    from web import create_app

    app = create_app({"TESTING": True, "WARM_CACHES": False, "BACKEND": "opensearch",
                      "OPENSEARCH_URL": silent_url, "INDEX_DIR": str(tmp_path / "unused")})
    yield app
    app.extensions["archive_index"].close()


def test_the_page_and_the_api_answer_503_in_french(app):
    client = app.test_client()
    page = client.get("/?q=Tripoli")
    assert page.status_code == 503
    text = BeautifulSoup(page.data, "html.parser").get_text(" ")
    assert "Le moteur de recherche de l’archive ne répond pas" in text
    assert "s3cr3t" not in page.data.decode()
    answer = client.get("/api/search?q=Tripoli")
    assert answer.status_code == 503
    assert answer.get_json()["error"].startswith("Le moteur de recherche")
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()["status"]) == (503, "unavailable")


def test_reindex_exits_4_with_one_line(runner, silent_url, seeds_dir):
    from web.cli import cli

    result = runner.invoke(cli, ["reindex", "--backend", "opensearch", "--opensearch-url", silent_url, str(seeds_dir)])
    assert result.exit_code == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    port = silent_url.rsplit(":", 1)[1]
    assert lines[0].startswith(f"Erreur : le cluster OpenSearch http://127.0.0.1:{port} ne répond pas")
    assert "s3cr3t" not in result.output + result.stderr


def test_the_backend_is_read_from_the_environment(runner, silent_url, seeds_dir, monkeypatch):
    from web.cli import cli

    monkeypatch.setenv("ARCHIVE_BACKEND", "opensearch")
    monkeypatch.setenv("ARCHIVE_OPENSEARCH_URL", silent_url)
    result = runner.invoke(cli, ["search", "Tripoli"])
    assert result.exit_code == 1
    assert "ne répond pas" in result.stderr


@pytest.mark.parametrize("arguments", [["search", "Tripoli"], ["search", "--json", "Tripoli"],
                                       ["export", "Tripoli"]])
def test_search_and_export_commands_stop_with_one_line(runner, silent_url, arguments):
    from web.cli import cli

    port = silent_url.rsplit(":", 1)[1]
    result = runner.invoke(cli, [*arguments, "--backend", "opensearch", "--opensearch-url", silent_url])
    assert result.exit_code == 1
    assert result.stdout == ""  # no half-written JSON or rows
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Erreur : le cluster OpenSearch http://127.0.0.1:{port} ne répond pas")
    assert "s3cr3t" not in result.stderr and "Traceback" not in result.stderr


def test_every_json_route_answers_503_in_french(app):
    client = app.test_client()
    for url in ("/api/search?q=Tripoli", "/api/search?q=Tripoli&tri=recent&page=3",
                "/api/depeche/000_4375ea2097648a51.txt", "/api/depeche/absent.txt"):
        answer = client.get(url)
        assert (answer.status_code, answer.mimetype) == (503, "application/json"), url
        assert answer.get_json()["error"].startswith("Le moteur de recherche de l’archive ne répond pas"), url
        assert "s3cr3t" not in answer.get_data(as_text=True)
    # The exports answer before their first row: a 503, not a cut-off file.
    for url in ("/export.csv?q=Tripoli", "/export.jsonl?q=Tripoli"):
        answer = client.get(url)
        assert answer.status_code == 503, url
        assert "Le moteur de recherche de l’archive ne répond pas" in answer.get_data(as_text=True), url
