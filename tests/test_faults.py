"""Faults on real indexes and real processes: reindexes killed at random moments, two
reindexes at once, a full disk, a read-only index folder, and a server answering while
the index changes under it.

Root may write anywhere, and tests often run as root: the read-only cases run their
reindex in a child that gives up root's power to bypass file permissions
(CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that `chmod 0555` is enforced. The full disk
is a real one, an 8 MB tmpfs, where the machine lets us mount it; a file size limit
(RLIMIT_FSIZE, writes then fail with EFBIG) runs everywhere.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from limits import limit_file_size
from servers import start, stop

from archive import discover, read_file

ARCHIVE = str(Path(sys.executable).with_name("archive"))
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
UNWRITABLE = re.compile(r"^Erreur : impossible d’écrire l’index dans \S+ : (.+) ; l’index précédent est inchangé$")


def dispatch_text(number: int, version: int = 0) -> str:
    # Distinct words in each file, so that no two are taken for versions of one story.
    words = " ".join(f"m{number}x{i}v{version}" for i in range(8))
    return f" date 2019-04-{number % 28 + 1:02d} Dépêche {number}\n\nVersion {version} : {words}.\n"


def write_archive(root: Path, numbers, version: int = 0) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for number in numbers:
        (root / f"{number:04d}.txt").write_text(dispatch_text(number, version))


def expected_state(root: Path) -> dict[str, str]:
    """What a complete reindex of `root` holds: dispatch id → content hash."""
    state = {}
    for found in discover(root):
        for dispatch in read_file(found.path, root).dispatches:
            state[dispatch.id] = dispatch.content_hash
    return state


def live_state(index_dir: Path) -> dict[str, str]:
    """What the live index holds (it must open: IndexMissing or NeedsRebuild fail)."""
    from index.whoosh.store import open_live

    with open_live(index_dir).reader() as reader:
        return {fields["id"]: fields["hash"] for fields in reader.all_stored_fields()}


def archive(*args: str, timeout: float = 120, **options) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, *args], capture_output=True, text=True, timeout=timeout, **options)


def without_permission_override() -> None:
    """In a child process: drop root's power to bypass file permissions, so that `chmod`
    is enforced as it is for anyone else. Raises if the kernel refuses."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def as_unprivileged() -> dict:
    return {"preexec_fn": without_permission_override} if os.geteuid() == 0 else {}


def check_one_line_error(stderr: str) -> str:
    """The last line of stderr is the error (progress lines may come before); no trace."""
    assert "Traceback" not in stderr
    match = UNWRITABLE.match(stderr.strip().splitlines()[-1])
    assert match, stderr
    return match[1]


# -- SIGKILL at random moments ---------------------------------------------------------


def listing(folder: Path) -> set[str]:
    try:
        return set(os.listdir(folder))
    except FileNotFoundError:
        return set()


def phase(before: set[str], during: set[str], finished: bool) -> str:
    """Where a reindex was when it was killed, from the files of the index folder."""
    if finished:
        return "finished"
    new = during - before
    if not new and not before - during:
        return "starting"  # reading files, or not yet writing
    # A table of contents past generation 0 (the empty one a rebuild starts with), the
    # pointer being switched, or files of the old index going: the commit is under way.
    if any(TOC.search(name) or name.startswith(".CURRENT") for name in new) or before - during:
        return "committing"
    return "writing"  # files of a new segment (or of a merge) being written


TOC = re.compile(r"_[1-9]\d*\.toc")


def mutate(root: Path, rng: random.Random, live: dict[int, int], next_number: list[int]) -> None:
    """Add, change and delete a few files. Mostly one to three of each: the small
    segments these commits write pile up, and Whoosh merges them once there are five."""
    most = 3 if rng.random() < 0.8 else 25
    for number in rng.sample(sorted(live), rng.randint(0, most)):  # changed
        live[number] += 1
        (root / f"{number:04d}.txt").write_text(dispatch_text(number, live[number]))
    for number in rng.sample(sorted(live), rng.randint(0, most)):  # deleted
        del live[number]
        (root / f"{number:04d}.txt").unlink()
    for _ in range(rng.randint(1, most)):  # added
        number = next_number[0]
        next_number[0] += 1
        live[number] = 0
        (root / f"{number:04d}.txt").write_text(dispatch_text(number))


def kill_at_random(index_dir: Path, args: list[str], rng: random.Random, on_write: bool) -> str:
    """Start `archive reindex`, SIGKILL it at a random moment, say where it was."""
    before = listing(index_dir)
    process = subprocess.Popen([ARCHIVE, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if on_write:
        # As soon as the index folder changes, plus up to 60 ms: writing or committing.
        deadline = time.monotonic() + 30
        while listing(index_dir) == before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, 0.06))
    else:
        time.sleep(rng.uniform(0.2, 2.5))  # the command takes a second to start
    during = listing(index_dir)
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return phase(before, during, finished)


def segments(index_dir: Path) -> set[str]:
    """The segments on disk: Whoosh names each segment's files `INDEX_SEGMENT.ext`."""
    return {path.name.split(".")[0] for path in index_dir.glob("ix*_*.*")}


@pytest.mark.slow
def test_twenty_kills_at_random_moments_never_lose_the_index(tmp_path):
    """SIGKILL 20 reindexes, a rebuild then three incremental runs in turn, with files
    added, changed and deleted before each, at random moments (half of them as soon as
    the index folder changes: writing, committing, merging). Each time the live index is
    either the previous one or the new one, whole, and the next reindex completes.
    Three incremental runs (and their follow-ups) between rebuilds pile up the small
    segments that an incremental commit merges, whether or not a rebuild completes
    before its kill."""
    from index import reindex

    rng = random.Random(20190407)
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    live = {number: 0 for number in range(300)}
    next_number = [300]
    write_archive(root, live)
    reindex(index_dir, [root])
    committed = live_state(index_dir)
    assert committed == expected_state(root) and len(committed) == 300
    phases: Counter[str] = Counter()
    merges = 0
    for kill in range(20):
        mutate(root, rng, live, next_number)
        rebuild = kill % 4 == 0
        args = ["reindex", "--index", str(index_dir), str(root), *(["--rebuild"] if rebuild else [])]
        # Five small segments or more: this run's commit merges them.
        merging = not rebuild and len(segments(index_dir)) >= 5
        where = kill_at_random(index_dir, args, rng, on_write=kill % 4 in (0, 2))
        phases[f"{where} (merge)" if merging and where in ("writing", "committing") else where] += 1
        state = live_state(index_dir)
        wanted = expected_state(root)
        # The previous index, whole (its document count too), or the new one, whole.
        assert state in (committed, wanted), f"kill {kill}: a mixed or broken index"
        # The next reindex completes, whatever the kill left behind.
        before = segments(index_dir)
        report = reindex(index_dir, [root])
        assert report.documents == len(wanted) and not report.failures
        committed = live_state(index_dir)
        assert committed == wanted
        merges += len(before - segments(index_dir)) > 1
    finished = archive("reindex", "--index", str(index_dir), str(root))
    assert finished.returncode == 0, finished.stderr
    wanted = expected_state(root)
    assert f" ; {len(wanted)} dépêches dans " in finished.stdout
    assert live_state(index_dir) == wanted
    # What the killed runs left behind (whole rebuilds, half-written segments) is gone.
    current = (index_dir / "CURRENT").read_text().strip()
    leftovers = [p.name for p in index_dir.iterdir() if p.name.lstrip("_").startswith("ix") and current not in p.name]
    assert leftovers == []
    killed_at_work = sum(n for name, n in phases.items() if name.startswith(("writing", "committing")))
    assert killed_at_work >= 5, phases
    assert merges >= 1  # the runs do merge segments: some kills fall in a merge
    print(f"kills by phase: {dict(phases)}; completed runs that merged segments: {merges}")


# -- Two reindexes at once ---------------------------------------------------------------


@pytest.mark.slow
def test_two_reindexes_started_together(tmp_path):
    """One proceeds; the other waits `--wait` seconds, then gives up with exit code 3 and
    a one-line message. With a long enough wait, it runs once the first is done."""
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    write_archive(root, range(1500))  # a few seconds of indexing: longer than the wait

    def start(*options: str) -> subprocess.Popen:
        return subprocess.Popen([ARCHIVE, "reindex", "--index", str(index_dir), *options, str(root)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(process: subprocess.Popen) -> tuple[int, str, str]:
        out, err = process.communicate(timeout=300)
        return process.returncode, out, err

    results = sorted(map(finish, [start("--wait", "0.3"), start("--wait", "0.3")]))
    assert [code for code, _, _ in results] == [0, 3], results
    assert results[0][1].startswith("1500 ajoutée(s), 0 mise(s) à jour, 0 retirée(s), 0 inchangée(s), 0 en échec")
    assert results[1][1:] == (
        "",
        f"Erreur : une autre réindexation est en cours sur {index_dir} (attendu 0.3 s) : réessayez quand elle sera finie\n",
    )
    assert live_state(index_dir) == expected_state(root)

    # A rebuild and a patient incremental run: the second waits for the first.
    results = list(map(finish, [start("--rebuild", "--wait", "0.3"), start("--wait", "120")]))
    assert [code for code, _, _ in results] == [0, 0], results
    assert live_state(index_dir) == expected_state(root)


# -- A full disk, a file size limit, a read-only folder -------------------------------


def fill(folder: Path) -> None:
    """Write a file until the disk says it is full."""
    with (folder / "remplissage").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as error:
            assert error.errno == 28  # ENOSPC
    # Fill what a last 64 kB block left, a byte at a time if needs be.
    with (folder / "remplissage-fin").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError as error:
            assert error.errno == 28


@pytest.fixture
def small_disk(tmp_path):
    """A real 8 MB file system (tmpfs), where the machine lets us mount one."""
    mount_point = tmp_path / "disque"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root; test_a_file_size_limit covers this case")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); test_a_file_size_limit covers this case")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


@pytest.mark.slow
def test_a_full_disk_gives_a_clear_error_and_keeps_the_old_index(tmp_path, small_disk):
    root, index_dir = tmp_path / "archive", small_disk / "index"
    write_archive(root, range(100))
    assert archive("reindex", "--index", str(index_dir), str(root)).returncode == 0
    old = live_state(index_dir)
    fill(small_disk)
    write_archive(root, range(100, 400))
    for rebuild in ([], ["--rebuild"]):
        failed = archive("reindex", "--index", str(index_dir), str(root), *rebuild)
        assert failed.returncode == 4
        assert check_one_line_error(failed.stderr) == "le disque est plein"
        assert live_state(index_dir) == old
    # Room again: the next reindex goes through, and clears what the failed ones left.
    (small_disk / "remplissage").unlink()
    done = archive("reindex", "--index", str(index_dir), str(root), "--rebuild")
    assert done.returncode == 0, done.stderr
    assert live_state(index_dir) == expected_state(root)
    current = (index_dir / "CURRENT").read_text().strip()
    assert [p.name for p in index_dir.glob("*ix*") if current not in p.name] == []


def indexed_archive(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """An archive of 50 dispatches, its index, and that index's live state."""
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    write_archive(root, range(50))
    assert archive("reindex", "--index", str(index_dir), str(root)).returncode == 0
    return root, index_dir, live_state(index_dir)


@pytest.mark.slow
def test_a_file_size_limit_gives_a_clear_error_and_keeps_the_old_index(tmp_path):
    root, index_dir, old = indexed_archive(tmp_path)
    write_archive(root, range(50, 1000))  # an index of them is past 64 kB
    for rebuild in ([], ["--rebuild"]):
        failed = archive("reindex", "--index", str(index_dir), str(root), *rebuild, preexec_fn=limit_file_size)
        assert failed.returncode == 4
        assert check_one_line_error(failed.stderr) == "File too large"
        assert live_state(index_dir) == old


@pytest.mark.slow
def test_a_read_only_index_folder_gives_a_clear_error_and_keeps_the_old_index(tmp_path):
    root, index_dir, old = indexed_archive(tmp_path)
    write_archive(root, range(50, 80))
    (index_dir / "REINDEX").unlink()  # as in a folder copied without it: the lock is made again
    try:
        index_dir.chmod(0o555)
        for rebuild in ([], ["--rebuild"]):
            failed = archive("reindex", "--index", str(index_dir), str(root), *rebuild, **as_unprivileged())
            assert failed.returncode == 4
            assert check_one_line_error(failed.stderr) == "Permission denied"
            assert live_state(index_dir) == old
        # A new index in a read-only folder: the same error, not a trace.
        failed = archive("reindex", "--index", str(index_dir / "nouveau"), str(root), **as_unprivileged())
        assert (failed.returncode, check_one_line_error(failed.stderr)) == (4, "Permission denied")
    finally:
        index_dir.chmod(0o755)
    done = archive("reindex", "--index", str(index_dir), str(root))
    assert done.returncode == 0, done.stderr
    assert live_state(index_dir) == expected_state(root)


# -- The server while the index changes ---------------------------------------------------


def total(base: str, query: str = "") -> int:
    url = f"{base}api/search?{urllib.parse.urlencode({'q': query})}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.status == 200
        return json.load(answer)["total"]


class Poller(threading.Thread):
    """Asks the server the same searches again and again; counts answers and errors."""

    def __init__(self, base: str, queries: list[str]) -> None:
        super().__init__(daemon=True)
        self.urls = [f"{base}api/search?{urllib.parse.urlencode({'q': q})}" for q in queries] + [base]
        self.stop = threading.Event()
        self.answers = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            for url in self.urls:
                try:
                    with urllib.request.urlopen(url, timeout=30) as answer:
                        body = answer.read()
                        if answer.status != 200 or not body:
                            self.errors.append(f"{url}: {answer.status}")
                        elif "/api/" in url:
                            json.loads(body)
                    self.answers += 1
                except (OSError, ValueError) as error:
                    self.errors.append(f"{url}: {error}")


@pytest.mark.slow
def test_the_server_answers_while_a_reindex_adds_and_removes_files(tmp_path):
    root, index_dir = tmp_path / "archive", tmp_path / "index"
    write_archive(root, range(400))
    for number in range(300, 400):
        (root / f"{number:04d}.txt").write_text(f" date 2019-04-01 Ancienne {number}\n\nUn texte périmé n{number}.\n")
    assert archive("reindex", "--index", str(index_dir), str(root)).returncode == 0
    server, base = start(index_dir)
    try:
        assert total(base, "périmé") == 100
        poller = Poller(base, ["périmé", "inédit", "dépêche", "m7x1v0"])
        poller.start()
        # An incremental run: 100 files go, 100 come.
        for number in range(300, 400):
            (root / f"{number:04d}.txt").unlink()
            (root / f"{number + 1000:04d}.txt").write_text(f" date 2019-05-01 Nouvelle {number}\n\nUn texte inédit n{number}.\n")
        answered = poller.answers
        updated = archive("reindex", "--index", str(index_dir), str(root))
        assert updated.returncode == 0, updated.stderr
        assert updated.stdout.startswith("100 ajoutée(s), 0 mise(s) à jour, 100 retirée(s), 300 inchangée(s), 0 en échec")
        # The next request sees the new state: no restart.
        assert total(base, "inédit") == 100
        assert total(base, "périmé") == 0
        # A rebuild: a new index is published and the old one's files are deleted.
        (root / "0007.txt").unlink()
        rebuilt = archive("reindex", "--index", str(index_dir), "--rebuild", str(root))
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert total(base, "m7x1v0") == 0
        assert total(base) == 399
        time.sleep(0.5)
        poller.stop.set()
        poller.join(timeout=60)
        assert poller.errors == []
        assert poller.answers - answered >= 10  # it did ask while the index changed
        with urllib.request.urlopen(f"{base}?q=in%C3%A9dit", timeout=30) as answer:
            page = answer.read().decode()
        assert "100\u00a0sujets" in page
    finally:
        stop(server)
