"""Bytes to text, and every file the archive refuses, with its reason and its name."""

import gzip
import os
import stat
from pathlib import Path

import pytest

from archive import UnreadableDispatch, read_file
from archive.decode import decode
from archive.readers import MAX_BYTES, read_text

FRENCH = "L'armée américaine à Noël : « c'est sûr », déclare le général à Besançon."

# Short French dispatches as Windows-1252 and Latin-1 files hold them. charset-normalizer
# alone reads a good part of such texts as cp1250, cp1257 or Big5.
SAMPLES = [
    "L'armée américaine à Noël",
    "Après une pause nocturne, les combats ont repris en matinée.",
    "Le ministère de la Santé a déclaré qu'au moins 21 personnes avaient été tuées.",
    "Très discrète depuis le début de l'affaire, la sœur de l'accusé s'est confiée.",
    "Le prix du gazole a augmenté de 2 € en un an, à 1,48 € le litre.",
    "« Il n’y a pas de solution militaire », a réaffirmé le secrétaire d’Etat.",
    "Ça coûte cher, août dernier : Noël, Île-de-France, Œuvre, Élysée.",
    "Porsche a testé la Taycan à Nardò, en Italie, où elle a roulé 24 heures.",
]


def read(folder: Path, name: str, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return read_file(path, folder)


def read_text_of(folder: Path, data: bytes, name: str = "d.txt") -> str:
    (dispatch,) = read(folder, name, data).dispatches
    return dispatch.body


# Encodings


@pytest.mark.parametrize("sample", SAMPLES)
def test_short_windows_1252_french_is_read_right(sample):
    assert decode(sample.encode("cp1252"), "d.txt") == sample


@pytest.mark.parametrize("sample", [s for s in SAMPLES if all(ord(c) < 256 for c in s)])
def test_short_latin_1_french_is_read_right(sample):
    assert decode(sample.encode("latin-1"), "d.txt") == sample


def test_latin_9_oe_and_euro_are_read_right():
    sample = "Le cœur du réacteur coûte 5 € de plus."
    assert decode(sample.encode("iso8859_15"), "d.txt") == sample


def test_windows_1252_file_through_the_reader(tmp_path):
    text = f"date 7 avril 2019\n\n{FRENCH}\n\nL’Africom « continuera » à suivre l’évolution…\n"
    (dispatch,) = read(tmp_path, "cp1252.txt", text.replace("\n", "\r\n").encode("cp1252")).dispatches
    assert (dispatch.title, dispatch.paragraphs) == (FRENCH, ("L’Africom « continuera » à suivre l’évolution…",))


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "UTF-8 with BOM"),
        (FRENCH.encode("utf-16"), "UTF-16 with BOM"),
        (b"\xfe\xff" + FRENCH.encode("utf-16-be"), "UTF-16 big-endian with BOM"),
        (FRENCH.encode("latin-1"), "Latin-1"),
        (FRENCH.encode("cp1252"), "Windows-1252"),
        (FRENCH.encode("utf-8"), "UTF-8"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_encoding_gives_the_same_text(tmp_path, data, encoding):
    assert read_text_of(tmp_path, data) == FRENCH


def test_czech_windows_1250_is_not_taken_for_french():
    czech = "Příliš žluťoučký kůň úpěl ďábelské ódy. Česká republika oznámila, že armáda se stáhne."
    assert decode(czech.encode("cp1250"), "d.txt") == czech


def test_text_is_nfc_with_unix_line_ends():
    decomposed = "Noe\u0308l\r\nà Tripoli\rfin"
    assert decode(decomposed.encode(), "d.txt") == "Noël\nà Tripoli\nfin"


def test_a_stray_control_character_is_dropped():
    # One in a hundred characters is tolerated: a stray escape in a real text.
    assert decode(f"{FRENCH}\x1b {FRENCH}".encode(), "d.txt") == f"{FRENCH} {FRENCH}"


# Files the archive refuses: each with a precise reason naming the file

BAD_CONTENT = [
    (b"", "empty file (0 bytes)"),
    (b" \n\t\r\n  \n", "empty file (only white space)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (a PNG image)"),
    (gzip.compress("Une dépêche compressée.".encode()), "binary file (a gzip archive)"),
    (b"%PDF-1.7\n", "binary file (a PDF document)"),
    (b"Une d\x00p\x00che\x00", "binary file (contains NUL bytes)"),
    (b"\x01\x02\x03\x04 texte " * 20, "binary file (control characters)"),
    (bytes(range(0x80, 0x100)) * 3, "undecodable bytes: not UTF-8 and no known encoding fits"),
    (b"\xef\xbb\xbfUn texte \xff\xfe cass\xe9", "undecodable bytes: declared utf-8 but byte 9 is invalid"),
    (b"\xff\xfeU\x00n\x00\x00\xd8", "undecodable bytes: declared utf-16 but byte 6 is invalid"),
]


@pytest.mark.parametrize(("data", "reason"), BAD_CONTENT, ids=[r for _, r in BAD_CONTENT])
@pytest.mark.parametrize("suffix", [".txt", ".html", ".jsonl"])
def test_bad_content_is_refused_with_its_reason(tmp_path, data, reason, suffix):
    with pytest.raises(UnreadableDispatch) as caught:
        read(tmp_path, f"mauvais{suffix}", data)
    assert (caught.value.path, caught.value.reason) == (f"mauvais{suffix}", reason)
    assert str(caught.value) == f"mauvais{suffix}: {reason}"


def test_bad_file_in_a_subfolder_is_named_by_its_archive_path(tmp_path):
    (tmp_path / "2019" / "04").mkdir(parents=True)
    with pytest.raises(UnreadableDispatch) as caught:
        read(tmp_path, "2019/04/vide.txt", b"")
    assert str(caught.value) == "2019/04/vide.txt: empty file (0 bytes)"


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    limit = MAX_BYTES[read_text]
    path = tmp_path / "enorme.txt"
    with path.open("wb") as handle:
        handle.write(b"date 2019 ")
        handle.truncate(limit + 1)  # sparse: nothing is written past the header
    with pytest.raises(UnreadableDispatch) as caught:
        read_file(path, tmp_path)
    assert caught.value.path == "enorme.txt"
    assert caught.value.reason == "file too large (8.4 MB; the limit is 8 MB)"


def test_file_at_the_size_limit_is_read(tmp_path):
    path = tmp_path / "limite.txt"
    line = ("Une phrase de la dépêche. " * 40).strip() + "\n\n"
    data = (line * (MAX_BYTES[read_text] // len(line.encode()) + 1)).encode()[: MAX_BYTES[read_text]]
    path.write_bytes(data)
    reading = read_file(path, tmp_path)
    assert len(reading.dispatches) == 1
    assert len(reading.dispatches[0].paragraphs) > 1000


@pytest.mark.parametrize(("name", "suffix"), [("image.pdf", "'.pdf'"), ("LISEZMOI", "'(none)'"),
                                              ("page.xhtml", "'.xhtml'")])
def test_unsupported_suffix(tmp_path, name, suffix):
    with pytest.raises(UnreadableDispatch) as caught:
        read(tmp_path, name, FRENCH.encode())
    assert (caught.value.path, caught.value.reason) == (name, f"unsupported file type {suffix}")


def test_suffix_case_does_not_matter(tmp_path):
    assert read_text_of(tmp_path, FRENCH.encode(), "MAJUSCULES.TXT") == FRENCH


def test_unreadable_permissions(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_bytes(FRENCH.encode())
    path.chmod(0)
    try:
        if os.geteuid() == 0:
            # root reads whatever the mode says: the file is read, not refused.
            (dispatch,) = read_file(path, tmp_path).dispatches
            assert dispatch.body == FRENCH
        else:
            with pytest.raises(UnreadableDispatch) as caught:
                read_file(path, tmp_path)
            assert (caught.value.path, caught.value.reason) == (
                "secret.txt", "cannot read the file (Permission denied)"
            )
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_a_folder_named_like_a_dispatch(tmp_path):
    (tmp_path / "dossier.txt").mkdir()
    with pytest.raises(UnreadableDispatch) as caught:
        read_file(tmp_path / "dossier.txt", tmp_path)
    assert (caught.value.path, caught.value.reason) == ("dossier.txt", "not a file but a folder")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "tube.txt")
    with pytest.raises(UnreadableDispatch) as caught:
        read_file(tmp_path / "tube.txt", tmp_path)
    assert caught.value.reason == "not a regular file (a device, pipe or socket)"


def test_a_missing_file(tmp_path):
    with pytest.raises(UnreadableDispatch) as caught:
        read_file(tmp_path / "absent.txt", tmp_path)
    assert (caught.value.path, caught.value.reason) == (
        "absent.txt", "cannot read the file (No such file or directory)"
    )
