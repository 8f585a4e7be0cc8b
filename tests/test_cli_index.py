"""The `archive reindex`, `search` and `evaluate` commands, run in-process with click's
CliRunner on real indexes in `tmp_path`: exit codes, messages and the JSON shape."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys

import pytest

from index.whoosh.schema import VERSION_FILE
from index.whoosh.store import reindex_lock
from servers import archive_command
from web.cli import cli

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"


def run(runner, *args):
    return runner.invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def test_reindex_exit_0_when_everything_went_in(runner, tmp_path, seeds_dir):
    result = run(runner, "reindex", seeds_dir, "--index", tmp_path / "index")
    assert result.exit_code == 0, result.output
    assert "2 ajoutée(s), 0 mise(s) à jour, 0 retirée(s), 0 inchangée(s), 0 en échec" in result.stdout
    again = run(runner, "reindex", seeds_dir, "--index", tmp_path / "index")
    assert again.exit_code == 0
    assert "0 ajoutée(s), 0 mise(s) à jour, 0 retirée(s), 2 inchangée(s), 0 en échec" in again.stdout


def test_reindex_exit_1_when_some_files_failed(runner, tmp_path, seeds_dir):
    root = tmp_path / "archive"
    shutil.copytree(seeds_dir, root)
    (root / "empty.txt").write_bytes(b"")
    result = run(runner, "reindex", root, "--index", tmp_path / "index")
    assert result.exit_code == 1
    assert "2 ajoutée(s)" in result.stdout and "1 en échec" in result.stdout
    assert "  en échec : empty.txt : empty file" in result.stdout
    assert result.stderr.splitlines()[-1] == "Erreur : 1 fichier(s) en échec, listé(s) ci-dessus"


def test_reindex_exit_2_on_a_usage_error(runner, tmp_path):
    result = run(runner, "reindex", tmp_path / "nowhere", "--index", tmp_path / "index")
    assert result.exit_code == 2
    assert "n’est pas un dossier" in result.output
    assert not (tmp_path / "index").exists()


def test_reindex_exit_3_when_locked(runner, tmp_path, seeds_dir):
    index_dir = tmp_path / "index"
    with reindex_lock(index_dir, timeout=0):
        result = run(runner, "reindex", seeds_dir, "--index", index_dir, "--wait", "0.5")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        f"Erreur : une autre réindexation est en cours sur {index_dir} (attendu 0.5 s) : réessayez quand elle sera finie"
    ]
    assert "Traceback" not in result.output
    # Once the lock is released, the same command goes through.
    assert run(runner, "reindex", seeds_dir, "--index", index_dir).exit_code == 0


def test_reindex_on_a_stale_schema_says_to_rebuild(runner, index_dir, seeds_dir):
    (index_dir / VERSION_FILE).write_text(json.dumps({"schema_version": 0}))
    result = run(runner, "reindex", seeds_dir, "--index", index_dir)
    assert result.exit_code == 4  # not 1, which says that some files failed
    assert "archive reindex --rebuild" in result.output
    assert "Traceback" not in result.output
    rebuilt = run(runner, "reindex", seeds_dir, "--index", index_dir, "--rebuild")
    assert rebuilt.exit_code == 0
    assert run(runner, "search", "Pompeo", "--index", index_dir).exit_code == 0


def test_reindex_takes_the_index_from_the_environment(runner, tmp_path, seeds_dir):
    result = runner.invoke(cli, ["reindex", str(seeds_dir)], env={"ARCHIVE_INDEX": str(tmp_path / "env-index")})
    assert result.exit_code == 0
    assert (tmp_path / "env-index" / "CURRENT").is_file()


def test_search_json_shape(runner, index_dir):
    result = run(runner, "search", "Waldhauser", "--index", index_dir, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["total"] == 1
    assert [hit["id"] for hit in data["hits"]] == [SEED_000]
    hit = data["hits"][0]
    assert {"id", "title", "date", "precision", "snippet", "score"} <= set(hit)
    assert hit["title"].startswith("L'armée américaine a annoncé dimanche")
    assert (hit["date"], hit["precision"]) == ("2019-04", "month")
    assert "<mark>Waldhauser</mark>" in hit["snippet"]
    assert hit["score"] > 0
    assert data["facets"]["years"] == [{"value": "2019", "count": 1}]
    assert set(data["facets"]) == {"years", "months", "days", "undated", "sources", "authors"}
    # The seeds name no source nor author.
    assert (data["facets"]["sources"], hit["sources"], hit["authors"]) == ([], [], [])


def test_search_json_of_nothing(runner, index_dir):
    data = json.loads(run(runner, "search", "Zanzibar", "--index", index_dir, "--json").stdout)
    assert (data["total"], data["hits"], data["facets"]["years"], data["facets"]["undated"]) == (0, [], [], 0)


def test_search_json_with_a_date_filter_and_sort(runner, index_dir):
    result = run(runner, "search", "combats", "--index", index_dir, "--json", "--year", "2019", "--sort", "oldest")
    data = json.loads(result.stdout)
    assert data["total"] == 1 and data["sort"] == "oldest"
    assert data["facets"]["months"] == [{"value": "2019-04", "count": 1}]
    nothing = json.loads(run(runner, "search", "combats", "--index", index_dir, "--json", "--year", "2018").stdout)
    assert nothing["total"] == 0 and nothing["hits"] == []


def test_search_prints_hits_for_a_person(runner, index_dir):
    result = run(runner, "search", "armee", "americaine", "--index", index_dir)
    assert result.exit_code == 0
    assert result.stdout.startswith("1 sujet, 2 dépêches en ")
    assert SEED_000 in result.stdout


def test_search_shows_the_suggestion_and_the_notice(runner, index_dir):
    result = run(runner, "search", "Pompeoo", "titre:", "--index", index_dir)
    assert result.exit_code == 0
    assert "vouliez-vous dire : pompeo" in result.stdout.lower()
    assert "« titre: »" in result.stderr


def test_search_without_an_index_is_one_clear_line(runner, tmp_path):
    result = run(runner, "search", "Pompeo", "--index", tmp_path / "none")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Erreur : aucun index dans {tmp_path / 'none'} : lancez d’abord « archive reindex »"


def test_search_rejects_a_bad_month(runner, index_dir):
    result = run(runner, "search", "Pompeo", "--index", index_dir, "--month", "avril")
    assert result.exit_code == 2


def test_evaluate_on_judged_queries(runner, index_dir, tmp_path):
    queries = tmp_path / "queries.jsonl"
    qrels = tmp_path / "qrels.tsv"
    queries.write_text(
        "\n".join(json.dumps({"id": q, "text": t}) for q, t in [("q1", "Pompeo"), ("q2", "Waldhauser"), ("q3", "Zanzibar")]),
        encoding="utf-8",
    )
    qrels.write_text(f"query_id\tdoc_id\trelevance\nq1\t{SEED_002}\t1\nq2\t{SEED_000}\t1\nq3\t{SEED_000}\t1\n")
    result = run(runner, "evaluate", queries, qrels, "--index", index_dir)
    assert result.exit_code == 0
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["requêtes"].strip() == "3"
    # Two of three found first; « Zanzibar » finds nothing and counts as a miss.
    assert float(lines["MRR@10"]) == pytest.approx(2 / 3, abs=1e-4)
    assert float(lines["R@10"]) == pytest.approx(2 / 3, abs=1e-4)


def test_evaluate_with_unreadable_judgements(runner, index_dir, tmp_path):
    queries = tmp_path / "queries.jsonl"
    qrels = tmp_path / "qrels.tsv"
    queries.write_text(json.dumps({"id": "q1", "text": "Pompeo"}), encoding="utf-8")
    qrels.write_text("qid\tdoc\nq1\tx\n")
    result = run(runner, "evaluate", queries, qrels, "--index", index_dir)
    assert result.exit_code == 1
    assert result.stderr.startswith("Erreur : impossible de lire les jugements : ")



def test_evaluate_without_ir_measures_says_how_to_install_it(runner, index_dir, tmp_path, monkeypatch):
    """ir-measures is the optional extra `evaluate`: without it the command stops with
    one line saying how to install it, and the other commands do not need it."""
    queries = tmp_path / "queries.jsonl"
    qrels = tmp_path / "qrels.tsv"
    queries.write_text(json.dumps({"id": "q1", "text": "Pompeo"}), encoding="utf-8")
    qrels.write_text(f"query_id\tdoc_id\trelevance\nq1\t{SEED_002}\t1\n")
    # None in sys.modules makes `import ir_measures` fail as it does where the package
    # is not installed (ModuleNotFoundError); index.evaluate is imported afresh.
    monkeypatch.setitem(sys.modules, "ir_measures", None)
    monkeypatch.delitem(sys.modules, "index.evaluate", raising=False)
    result = run(runner, "evaluate", queries, qrels, "--index", index_dir)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Erreur : « archive evaluate » a besoin du paquet ir-measures, un complément facultatif : installez-le avec "
        "« pip install 'french-news-archive[evaluate]' » (dans le dépôt : « pip install -e '.[evaluate]' »)\n"
    )
    assert run(runner, "search", "Pompeo", "--index", index_dir).exit_code == 0


def test_serve_on_a_port_taken_is_one_clear_line(index_dir):
    # A real process: waitress leaves its wake-up pipe open when it cannot bind, which
    # the process's exit closes (in this one it would be a ResourceWarning).
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*archive_command(), "serve", "--index", str(index_dir), "--port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"Erreur : impossible d’écouter sur 127.0.0.1:{port} : Address already in use\n"
