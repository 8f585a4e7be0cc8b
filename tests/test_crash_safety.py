"""A reindex killed at any moment leaves the previous index searchable, whole.

`archive reindex` runs in a real sub-process on a few hundred generated dispatches and is
killed (SIGKILL: no clean-up code runs) part of the way through, several times; the
previous index must still open with its previous document count, and a normal reindex
must then complete. The kill comes after a random tenth of the files has been read
(the command prints a line every tenth when its output is not a terminal), so it always
lands in the middle of the work, never after it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from index import SearchRequest, open_index, reindex
from index.whoosh.internals import index_segments
from index.whoosh.store import open_live, reindex_lock

pytestmark = pytest.mark.slow

FIRST = 300  # dispatches in the index before the runs that are killed
ADDED = 100  # dispatches added on disk afterwards
KILLS = 3


def vocabulary() -> list[str]:
    """Made-up words: each generated dispatch draws its own text from them."""
    rnd = random.Random(7)
    syllables = ["ba", "de", "ki", "lo", "mu", "ra", "ti", "so", "ne", "pa", "vo", "zu", "ga", "fi", "ro", "ma"]
    return sorted({"".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4))) for _ in range(3000)})


def write_dispatches(root: Path, start: int, count: int) -> None:
    words = vocabulary()
    for n in range(start, start + count):
        rnd = random.Random(n)
        paragraphs = [" ".join(rnd.choice(words) for _ in range(70)) + "." for _ in range(4)]
        text = f"date 2019-04-{n % 28 + 1:02d}\n\nDépêche {n}\n\nmarque{n}x " + "\n\n".join(paragraphs)
        (root / f"d{n:04d}.txt").write_text(text, encoding="utf-8")


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "web.cli", *map(str, args)]


def kill_part_way(args: list[str], tenth: int, name: str = "réindexation") -> None:
    """Start the command and SIGKILL it once it reports `tenth` tenths of its work
    (`name : done/total ...` on stderr)."""
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stderr:
            if line.startswith(f"{name} : "):
                done, total = map(int, line.removeprefix(f"{name} : ").split()[0].split("/"))
                if done * 10 >= total * tenth:
                    break
        else:
            pytest.fail(f"the {name} ended before {tenth}/10 of its files (exit {process.wait()})")
        process.send_signal(signal.SIGKILL)
    finally:
        process.stderr.close()
        process.wait()
    assert process.returncode == -signal.SIGKILL


def marked(index_dir: Path, n: int) -> list[str]:
    result = open_index(index_dir).search(SearchRequest(query=f"marque{n}x", collapse_versions=False))
    return [hit.id for hit in result.hits]


def assert_previous_index(index_dir: Path) -> None:
    archive = open_index(index_dir)
    assert archive.count() == FIRST
    assert marked(index_dir, 0) == ["d0000.txt"]
    assert marked(index_dir, FIRST - 1) == [f"d{FIRST - 1:04d}.txt"]
    assert marked(index_dir, FIRST) == []


@pytest.fixture
def archive_with_more_on_disk(tmp_path) -> tuple[Path, Path]:
    root = tmp_path / "archive"
    root.mkdir()
    write_dispatches(root, 0, FIRST)
    index_dir = tmp_path / "index"
    assert reindex(index_dir, [root]).documents == FIRST
    write_dispatches(root, FIRST, ADDED)
    return root, index_dir


def test_killed_rebuilds_leave_the_previous_index(archive_with_more_on_disk):
    root, index_dir = archive_with_more_on_disk
    rnd = random.Random()
    for _ in range(KILLS):
        kill_part_way(command("reindex", root, "--index", index_dir, "--rebuild"), tenth=rnd.randint(1, 9))
        assert_previous_index(index_dir)
    report = reindex(index_dir, [root], rebuild=True)
    assert report.added == FIRST + ADDED and not report.failures
    assert open_index(index_dir).count() == FIRST + ADDED
    assert marked(index_dir, FIRST + ADDED - 1) == [f"d{FIRST + ADDED - 1:04d}.txt"]
    # What the killed runs left behind is gone: one index is left in the folder.
    assert len(list(index_dir.glob("*.toc"))) == 1
    assert not [path for path in index_dir.iterdir() if path.is_dir()]


def test_killed_updates_leave_the_previous_index(archive_with_more_on_disk):
    root, index_dir = archive_with_more_on_disk
    rnd = random.Random()
    for _ in range(KILLS):
        kill_part_way(command("reindex", root, "--index", index_dir), tenth=rnd.randint(1, 9))
        assert_previous_index(index_dir)
    process = subprocess.run(command("reindex", root, "--index", index_dir), capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
    assert f"{ADDED} ajoutée(s), 0 mise(s) à jour, 0 retirée(s), {FIRST} inchangée(s), 0 en échec" in process.stdout
    assert open_index(index_dir).count() == FIRST + ADDED
    assert marked(index_dir, FIRST) == [f"d{FIRST:04d}.txt"]


def test_killed_optimisations_leave_the_previous_index(archive_with_more_on_disk):
    root, index_dir = archive_with_more_on_disk
    # Deletions for the optimisation to purge: the first dispatch's file changed.
    (root / "d0000.txt").write_text((root / "d0000.txt").read_text(encoding="utf-8") + " ajout.", encoding="utf-8")
    for n in range(FIRST, FIRST + ADDED):
        (root / f"d{n:04d}.txt").unlink()
    assert reindex(index_dir, [root]).updated == 1
    assert any(s.has_deletions() for s in index_segments(open_live(index_dir)))
    rnd = random.Random()
    for _ in range(KILLS):
        kill_part_way(command("optimise", "--index", index_dir), tenth=rnd.randint(1, 9), name="optimisation")
        assert_previous_index(index_dir)
    process = subprocess.run(command("optimise", "--index", index_dir), capture_output=True, text=True)
    assert process.returncode == 0, process.stderr
    assert f"{FIRST} dépêches en 1 segment " in process.stdout
    assert not any(s.has_deletions() for s in index_segments(open_live(index_dir)))
    assert_previous_index(index_dir)
    assert len(list(index_dir.glob("*.toc"))) == 1
    assert not [path for path in index_dir.iterdir() if path.is_dir()]


def test_a_held_lock_is_one_clear_line_and_exit_3(tmp_path, seeds_dir):
    index_dir = tmp_path / "index"
    reindex(index_dir, [seeds_dir])
    with reindex_lock(index_dir, timeout=0):
        process = subprocess.run(
            command("reindex", seeds_dir, "--index", index_dir, "--wait", "0.5"),
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONWARNINGS": "error"},
        )
    assert process.returncode == 3
    assert process.stderr.splitlines() == [
        f"Erreur : une autre réindexation est en cours sur {index_dir} (attendu 0.5 s) : réessayez quand elle sera finie"
    ]
    assert process.stdout == ""
    # The index it did not touch is still there.
    assert open_index(index_dir).count() == 2


def test_a_running_reindex_holds_the_lock(tmp_path):
    root = tmp_path / "archive"
    root.mkdir()
    write_dispatches(root, 0, FIRST)
    index_dir = tmp_path / "index"
    first = subprocess.Popen(command("reindex", root, "--index", index_dir), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        # Once it reports progress it holds the lock; paused there, it keeps holding it
        # however long the second one takes to start.
        assert first.stderr.readline().startswith("réindexation : ")
        first.send_signal(signal.SIGSTOP)
        try:
            second = subprocess.run(command("reindex", root, "--index", index_dir, "--wait", "0.5"),
                                    capture_output=True, text=True, timeout=60)
        finally:
            first.send_signal(signal.SIGCONT)
    finally:
        first.communicate(timeout=300)  # reads the rest of its output: it must not block
    assert second.returncode == 3
    assert len(second.stderr.splitlines()) == 1 and "une autre réindexation est en cours" in second.stderr
    assert first.returncode == 0
    assert open_index(index_dir).count() == FIRST
