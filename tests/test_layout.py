"""The package layout README's « Layout » table describes: `index/` is the engine-neutral
core, the engines are `index/whoosh/` and `index/opensearch/`, and imports point one way.

Read from the sources (every import statement, those inside functions too), so a
module that starts importing across the line fails here, not at review.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "index"

# What picks and exposes the engines.
ENGINE_CHOOSERS = {"index/__init__.py", "index/backend.py"}
# What the OpenSearch engine takes from the Whoosh engine: its query parser (read as
# index/querytree.py's nodes), its analyzer, and its highlighter.
BORROWED = {"index.whoosh.query", "index.whoosh.analysis", "index.whoosh.snippets", "index.whoosh.hits"}


def imports(path: Path) -> set[str]:
    """Every module `path` imports, `from a import b` also counted as `a.b` (b may be a
    module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_core_imports_neither_whoosh_nor_an_engine():
    core = sorted(INDEX.glob("*.py"))
    assert len(core) > 10
    crossing = {
        name(path): sorted(m for m in imports(path) if under(m, "whoosh") or under(m, "index.whoosh")
                           or under(m, "index.opensearch"))
        for path in core if name(path) not in ENGINE_CHOOSERS
    }
    assert {path: found for path, found in crossing.items() if found} == {}


def test_only_the_whoosh_engine_imports_whoosh():
    outside = [path for folder in ("index", "web") for path in (ROOT / folder).rglob("*.py")
               if not name(path).startswith("index/whoosh/")]
    # The OpenSearch engine reads the parsed query as index/querytree.py's plain nodes.
    assert {name(path) for path in outside if any(under(m, "whoosh") for m in imports(path))} == set()


def test_the_engines_borrow_only_the_text_layer_from_each_other():
    whoosh = sorted((INDEX / "whoosh").glob("*.py"))
    opensearch = sorted((INDEX / "opensearch").glob("*.py"))
    assert whoosh and opensearch
    assert {name(p) for p in whoosh if any(under(m, "index.opensearch") for m in imports(p))} == set()
    borrowed = {m for p in opensearch for m in imports(p) if under(m, "index.whoosh") and m != "index.whoosh"}
    # `from index.whoosh.hits import hit_of` counts as `index.whoosh.hits.hit_of` too.
    assert {m for m in borrowed if m not in BORROWED and m.rsplit(".", 1)[0] not in BORROWED} == set()


def test_index_never_imports_web():
    assert {name(p) for p in INDEX.rglob("*.py") if any(under(m, "web") for m in imports(p))} == set()


def test_web_reads_only_the_public_surface_of_index():
    """`web/` takes what `index/__init__.py` exports (`__all__`), never an engine's module;
    and `index.evaluate`, imported only by `archive evaluate`, since it needs the
    `evaluate` extra (ir-measures)."""
    import index

    web = sorted((ROOT / "web").rglob("*.py"))
    used = {m for p in web for m in imports(p) if under(m, "index") and not under(m, "index.evaluate")}
    assert used and {m for m in used if m != "index" and m.removeprefix("index.") not in index.__all__} == set()
