"""Finding dispatch files under an archive root."""

import os
from pathlib import Path

import pytest

from archive import Found, discover, read_file

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")


def touch(path: Path, text: str = "Une dépêche.") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def listing(root: Path) -> list[tuple[str, str | None]]:
    return [(found.relative, found.skipped) for found in discover(root)]


@pytest.fixture
def archive(tmp_path) -> Path:
    root = tmp_path / "archive"
    for name in ["b.txt", "a.html", "c.jsonl", "a-b.txt", "A.TXT", "d.ndjson", "e.htm", "f.text",
                 "a/z.txt", "a/b/y.txt", "z/x.html"]:
        touch(root / name)
    for name in ["notes.md", "image.png", "LISEZMOI", "a/b/data.csv", ".cache.txt",
                 ".git/HEAD.txt", "a/.hidden/x.txt"]:
        touch(root / name)
    return root


def test_finds_supported_files_in_sorted_order_skipping_hidden_ones(archive):
    assert listing(archive) == [
        ("A.TXT", None),
        ("a/b/y.txt", None),
        ("a/z.txt", None),
        ("a-b.txt", None),
        ("a.html", None),
        ("b.txt", None),
        ("c.jsonl", None),
        ("d.ndjson", None),
        ("e.htm", None),
        ("f.text", None),
        ("z/x.html", None),
    ]


def test_found_paths_are_absolute_and_readable(archive):
    found = list(discover(archive))
    assert all(f.path.is_absolute() and f.path == archive.resolve() / f.relative for f in found)
    assert read_file(found[0].path, archive.resolve()).dispatches[0].id == "A.TXT"


def test_a_relative_root_gives_the_same_listing(archive, monkeypatch):
    monkeypatch.chdir(archive.parent)
    assert listing(Path("archive")) == listing(archive)


def test_symlink_outside_the_root_is_reported_and_not_followed(tmp_path, archive):
    outside = touch(tmp_path / "dehors" / "secret.txt", "Ne pas indexer.")
    (archive / "lien.txt").symlink_to(outside)
    (archive / "dossier-lie").symlink_to(outside.parent, target_is_directory=True)
    (archive / "lien.png").symlink_to(outside)  # unsupported suffix: ignored, as any .png
    found = {f.relative: f for f in discover(archive)}
    assert found["lien.txt"] == Found(
        archive.resolve() / "lien.txt", "lien.txt", skipped="symbolic link pointing outside the archive"
    )
    assert found["dossier-lie"].skipped == "symbolic link pointing outside the archive"
    assert "lien.png" not in found
    assert not any("secret" in relative for relative in found)


def test_symlink_inside_the_root_is_followed(archive):
    (archive / "raccourci.txt").symlink_to(archive / "a" / "z.txt")
    (archive / "relatif.txt").symlink_to(Path("a") / "b" / "y.txt")
    found = {f.relative: f for f in discover(archive)}
    assert found["raccourci.txt"].skipped is None
    assert found["relatif.txt"].skipped is None
    (dispatch,) = read_file(found["raccourci.txt"].path, archive.resolve()).dispatches
    assert (dispatch.id, dispatch.body) == ("raccourci.txt", "Une dépêche.")


def test_a_linked_folder_inside_the_root_is_not_walked_twice(archive):
    (archive / "copie").symlink_to(archive / "a", target_is_directory=True)
    relatives = [relative for relative, _ in listing(archive)]
    assert not any(r.startswith("copie") for r in relatives)
    assert relatives.count("a/z.txt") == 1


def test_broken_and_looping_links_are_reported(archive):
    (archive / "casse.txt").symlink_to(archive / "absent.txt")
    (archive / "boucle.txt").symlink_to(archive / "boucle.txt")
    found = dict(listing(archive))
    assert found["casse.txt"] == "broken symbolic link"
    assert found["boucle.txt"] == "symbolic link that cannot be resolved (a loop?)"


def test_a_root_that_is_a_symlink_is_walked(tmp_path, archive):
    (tmp_path / "alias").symlink_to(archive, target_is_directory=True)
    assert listing(tmp_path / "alias") == listing(archive)


def test_an_unlistable_folder_is_reported(tmp_path, archive):
    locked = archive / "verrou"
    touch(locked / "x.txt")
    locked.chmod(0)
    try:
        found = dict(listing(archive))
        if os.geteuid() == 0:
            # root lists whatever the mode says.
            assert found["verrou/x.txt"] is None
        else:
            assert found["verrou"] == "cannot list the folder (Permission denied)"
    finally:
        locked.chmod(0o755)


def test_a_missing_root_is_reported(tmp_path):
    assert listing(tmp_path / "absent") == [(".", "cannot list the folder (No such file or directory)")]


def test_an_empty_root_has_nothing(tmp_path):
    assert listing(tmp_path) == []
