"""`archive reindex --watch`, run as a real process on real folders, while an app made
before it keeps answering: files added, changed and deleted appear without a restart, a
broken file is reported once, the reindex lock is waited for, Ctrl+C ends with 0.

Each wait is a loop on the condition itself; its 60 s limit only stops a hung test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.whoosh.store import reindex_lock

pytestmark = pytest.mark.slow

HANG_GUARD = 60.0


def archive_command() -> list[str]:
    script = Path(sys.executable).with_name("archive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "web.cli"]


def put(root: Path, name: str, text: str) -> None:
    """Write a file whole: written beside the folder, then renamed into it, so the
    watch never reads it half-written."""
    staging = root.parent / f".staging-{name}"
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, root / name)


def dispatch(own_id: str, title: str, body: str) -> str:
    return json.dumps({"id": own_id, "title": title, "body": body, "date": "2019-04-07"}, ensure_ascii=False) + "\n"


class Watch:
    """The watching process, its output in a file read as it grows."""

    def __init__(self, tmp_path: Path, root: Path, index_dir: Path, *options: str) -> None:
        self.log = tmp_path / "watch.log"
        self.handle = self.log.open("w")
        self.process = subprocess.Popen(
            [*archive_command(), "reindex", "--watch", str(root), "--index", str(index_dir),
             "--quiet-period", "0.2", *options],
            stdout=self.handle, stderr=subprocess.STDOUT, text=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + HANG_GUARD
        while not condition():
            assert self.process.poll() is None, f"the watch stopped ({what}):\n{self.output()}"
            if time.monotonic() > deadline:
                pytest.fail(f"still waiting for {what} after {HANG_GUARD:.0f} s:\n{self.output()}")
            time.sleep(0.1)

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=HANG_GUARD)
        finally:
            self.handle.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.handle.close()


@pytest.fixture
def watching(tmp_path: Path):
    started: list[Watch] = []

    def start(*args, **kwargs) -> Watch:
        started.append(Watch(*args, **kwargs))
        return started[-1]

    yield start
    for watch in started:
        watch.kill()


def test_watch_follows_files_and_the_running_app_sees_them(tmp_path: Path, watching):
    from web import create_app

    root = tmp_path / "archive"
    root.mkdir()
    put(root, "tripoli.jsonl", dispatch("a", "Combats près de Tripoli", "Les combats continuent au sud de Tripoli."))
    index_dir = tmp_path / "index"
    watch = watching(tmp_path, root, index_dir)
    # The app is made once the first run has published the index, and never again.
    watch.wait_for(lambda: (index_dir / "CURRENT").exists() and "Surveillance de" in watch.output(), "the first run")
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "WARM_CACHES": False}).test_client()

    def found(words: str) -> list[str]:
        return [hit["id"] for hit in client.get("/api/search", query_string={"q": words}).json["hits"]]

    assert found("Tripoli") == ["tripoli.jsonl#a"]

    put(root, "greve.jsonl", dispatch("b", "Grève des cheminots", "La grève des cheminots entre dans sa troisième semaine."))
    watch.wait_for(lambda: found("cheminots") == ["greve.jsonl#b"], "the added file")

    put(root, "tripoli.jsonl", dispatch("a", "Cessez-le-feu à Tripoli", "Un cessez-le-feu a été conclu à Tripoli ce matin."))
    watch.wait_for(lambda: found("cessez-le-feu") == ["tripoli.jsonl#a"], "the changed file")
    assert found("continuent") == []

    (root / "greve.jsonl").unlink()
    watch.wait_for(lambda: client.get("/api/depeche/greve.jsonl%23b").status_code == 404, "the deleted file")

    # A broken file is told once, however many batches follow.
    put(root, "casse.jsonl", '{"id": "x", "title": \n')
    watch.wait_for(lambda: "casse.jsonl" in watch.output(), "the broken file's report")
    for n, word in enumerate(("vendanges", "moissons", "semailles")):
        put(root, f"autre{n}.jsonl", dispatch(f"c{n}", word.capitalize(), f"Les {word} commencent tôt cette année."))
        watch.wait_for(lambda n=n, word=word: found(word) == [f"autre{n}.jsonl#c{n}"], f"batch {n}")
    assert watch.output().count("en échec : casse.jsonl") == 1
    # Mended, then broken again: told again.
    put(root, "casse.jsonl", dispatch("x", "Canicule en Provence", "La canicule frappe la Provence."))
    watch.wait_for(lambda: found("canicule") == ["casse.jsonl#x"], "the mended file")
    put(root, "casse.jsonl", '{"id": "x", "title": \n')
    watch.wait_for(lambda: watch.output().count("en échec : casse.jsonl") == 2, "the file broken again")
    assert found("canicule") == []

    assert watch.interrupt() == 0
    summary = watch.output().strip().splitlines()[-1]
    assert summary.startswith("Surveillance arrêtée : ")
    # The first run added one; then greve, three « autre », casse mended: five more.
    assert "6 dépêche(s) ajoutée(s)" in summary and "1 fichier(s) en échec" in summary


def test_watch_waits_for_another_reindex(tmp_path: Path, watching):
    root = tmp_path / "archive"
    root.mkdir()
    put(root, "a.jsonl", dispatch("a", "Séisme au Japon", "Un séisme a frappé le nord du Japon."))
    index_dir = tmp_path / "index"
    with reindex_lock(index_dir, timeout=5):
        watch = watching(tmp_path, root, index_dir, "--wait", "0.2")
        watch.wait_for(lambda: "Une autre réindexation tient l’index" in watch.output(), "the waiting notice")
        assert not (index_dir / "CURRENT").exists()
    # Released: the watch's first run goes through.
    watch.wait_for(lambda: "Surveillance de" in watch.output(), "the first run")
    assert (index_dir / "CURRENT").exists()
    assert watch.output().count("Une autre réindexation") == 1
    assert watch.interrupt() == 0
