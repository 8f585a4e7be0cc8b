"""Updates of an archive already materialised and indexed: no-op reindex, one 10+10+10
incremental reindex, then `archive optimise`, each as a sub-process (time, peak RSS,
and the most temporary space it held).

    python -m bench.updates --size 341030 --archive /data/news341k --index /data/news341k-ix --work /data/copy

The archive and the index are copied to `--work` first (`cp -a`, mtimes kept), so the
originals stay as they are; `--size` and `--seed` must be those the archive was
materialised with (`bench.corpus.materialise`), for `apply_changes` to know its files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from bench import corpus
from bench.measure import folder_size, run_command
from bench.ours import cli

REPO = Path(__file__).resolve().parent.parent
MIB = 2**20


def measured(command: list[str], temp: Path, index_dir: Path) -> str:
    """Seconds, peak RSS, the most temporary space held under `temp` (the command's
    TMPDIR: Whoosh's writers keep their sorting runs there) and the most the index
    folder grew (a new index written beside the live one)."""
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    peak, grown, start, done = 0, 0, folder_size(index_dir), threading.Event()

    def sample() -> None:
        nonlocal peak, grown
        while not done.wait(0.2):
            peak = max(peak, folder_size(temp))
            grown = max(grown, folder_size(index_dir) - start)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run = run_command(command, cwd=REPO, env={**os.environ, "TMPDIR": str(temp)})
    finally:
        done.set()
        sampler.join()
    return (f"{run.seconds:.2f} s, {run.peak_rss / MIB:.0f} MiB RSS, {peak / MIB:.0f} MiB temporary, "
            f"index folder +{max(grown, 0) / MIB:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=2, help="no-op runs")
    parser.add_argument("--no-optimise", action="store_true", help="leave `archive optimise` out")
    parser.add_argument("--command", default=" ".join(cli()),
                        help="the `archive` command to measure (another checkout's, to compare)")
    options = parser.parse_args()
    work = options.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    root, index_dir, temp = work / "archive", work / "index", work / "tmp"
    for source, target in ((options.archive, root), (options.index, index_dir)):
        subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    records = corpus.load_records()
    if options.size > len(records):
        records = corpus.enlarged(records, options.size, options.seed)
    archive = corpus.materialise(records, options.size, root, seed=options.seed, write=False)
    archive_command = options.command.split()
    reindex = [*archive_command, "reindex", "--index", str(index_dir), str(root)]
    for rep in range(options.repeat):
        print(f"no-op reindex {rep + 1}: {measured(reindex, temp, index_dir)}", flush=True)
    corpus.apply_changes(archive)
    print(f"incremental 10+10+10: {measured(reindex, temp, index_dir)}", flush=True)
    print(f"no-op reindex after it: {measured(reindex, temp, index_dir)}", flush=True)
    if not options.no_optimise and "optimise" in subprocess.run([*archive_command, "--help"], capture_output=True, text=True).stdout:
        optimise = [*archive_command, "optimise", "--index", str(index_dir)]
        print(f"optimise: {measured(optimise, temp, index_dir)}", flush=True)
        print(f"no-op reindex after it: {measured(reindex, temp, index_dir)}", flush=True)
    print(f"index on disk: {folder_size(index_dir) / MIB:.0f} MiB", flush=True)


if __name__ == "__main__":
    sys.exit(main())
