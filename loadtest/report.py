"""The measured table, as the Markdown section docs/load-test.md opens with.

Only the part between the two markers is rewritten: notes written below it stay.
"""

from __future__ import annotations

from pathlib import Path

from loadtest.wrk import Run

BEGIN, END = "<!-- loadtest results: begin -->", "<!-- loadtest results: end -->"


def write(path: Path, section: str) -> None:
    block = f"{BEGIN}\n{section}{END}\n\n"
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        text = before + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = block + text
    path.write_text(text)


def markdown(runs: list[tuple[Run, float]], memory: dict, context: dict) -> str:
    build = f"{context['build_seconds']:.0f} s" if context["build_seconds"] else "reused from an earlier run"
    lines = [
        f"Measured {context['date']} with `.venv/bin/python -m loadtest --docs {context['docs']}`: "
        f"{context['docs']:,} OrangeSum articles as `.txt` files (index build: {build}), the real "
        f"server (`archive serve`, waitress, {context['threads']} threads) on 127.0.0.1, and wrk "
        f"sending {context['paths']:,} distinct requests in turn (words of real titles, alone or by "
        f"two or three, 15 % with a year and 10 % with a month facet, 20 % sorted by date, 15 % on "
        f"page 2 or 3, 20 % through `/api/search`, 5 % dispatch pages). Each level runs "
        f"{context['duration']} s after a warm-up; a request slower than 10 s counts as an error.",
        "",
        "| clients | requests | requests/s | p50 | p95 | p99 | max | errors | server RSS after | machine load |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run, load in runs:
        lines.append(
            f"| {run.clients} | {run.requests:,} | {run.per_second:.1f} | {run.p50_ms:.0f} ms | "
            f"{run.p95_ms:.0f} ms | {run.p99_ms:.0f} ms | {run.max_ms:.0f} ms | {run.errors} | "
            f"{memory[run.clients]:.0f} MB | {load:.1f} |"
        )
    growth = memory["after"] - memory["before"]
    lines += [
        "",
        f"Server memory (RSS): {memory['started']:.0f} MB at start, {memory['before']:.0f} MB after "
        f"the warm-up, {memory['after']:.0f} MB after the last run ({growth:+.0f} MB). "
        f"Server CPU time over the measured runs: {context['server_cpu']:.0f} s "
        f"on a machine with {context['cpus']} cores (Python {context['python']}).",
        "",
        "*Machine load* is the 1-minute load average when the level started: other work was "
        "running on the same cores, so the numbers are lower bounds of what the server does alone.",
        "",
    ]
    return "\n".join(lines)
