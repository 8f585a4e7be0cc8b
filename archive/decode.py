"""Bytes to text: UTF-8 first, then a Western encoding if French reads well in it, then a
detected encoding; never a silent mojibake.

French archives hold Windows-1252 and Latin-1 files beside UTF-8 ones. charset-normalizer
alone misread 15 to 45 % of French Windows-1252 texts (as cp1250, cp1257, Big5…; the
shorter, the worse), so Windows-1252 and Latin-9 are tried first and kept when the
non-ASCII characters they give are mostly those French is written with. A UTF-8 file
with a few stray bytes (a cut sequence, a byte no encoding of French uses) stays UTF-8:
the stray bytes become U+FFFD and the caller is told where, instead of the whole file
turning into mojibake (« VÃ©ran »). Binary files (images, archives, anything with NUL
bytes) are refused by name, not indexed as noise.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

from archive.controls import CONTROL, CONTROL_CHARS, strip_controls
from archive.errors import UnreadableDispatch

_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\x1f\x8b": "a gzip archive",
    b"PK\x03\x04": "a ZIP archive",
    b"%PDF": "a PDF document",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
}

# Control characters as bytes, for a quick first look: in UTF-8, UTF-16 and the single-byte
# encodings, a control character in the text comes from a control byte in the file.
_CONTROL_BYTES = CONTROL_CHARS.encode("ascii")

# Latin-1 is left out: for text it is Windows-1252 less the typographic quotes, « œ » and
# « € », so reading a Latin-1 file as Windows-1252 gives the same text.
_WESTERN = ("cp1252", "iso8859_15")

# What French is written with beyond ASCII: accented letters, ligatures, typography.
_FRENCH = frozenset(
    "àâäæçéèêëîïôöœùûüÿÀÂÄÆÇÉÈÊËÎÏÔÖŒÙÛÜŸ"
    "«»‹›‘’‚“”„…–—•€°²³ºª·×÷§©®™\u00a0\u00ad\u202f\u2009"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SCORE_SAMPLE = 1 << 16


@dataclass(frozen=True)
class Decoded:
    """A file's text, and the bytes that were not valid UTF-8 in an otherwise UTF-8 file
    (each replaced with U+FFFD): how many, and the offset of the first."""

    text: str
    replaced: int = 0
    first_replaced: int | None = None

    def warning(self) -> str | None:
        """What to report beside the text, or None when nothing was replaced."""
        if not self.replaced:
            return None
        count = "1 byte" if self.replaced == 1 else f"{self.replaced} bytes, the first"
        return f"not valid UTF-8: {count} at byte {self.first_replaced} replaced with U+FFFD"


def decode(data: bytes, path: str) -> str:
    """Decode a file's bytes to NFC text with `\\n` line ends, or raise UnreadableDispatch.

    Stray control characters are dropped; a file made mostly of them is refused as binary.
    """
    return decode_reporting(data, path).text


def decode_reporting(data: bytes, path: str) -> Decoded:
    """`decode()`, also saying which bytes of a UTF-8 file had to be replaced."""
    if not data:
        raise UnreadableDispatch(path, "empty file (0 bytes)")
    if not data.strip():
        raise UnreadableDispatch(path, "empty file (only white space)")
    refuse_known_binary(data, path)
    decoded = _decode_bytes(data, path)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        sample = text[:4096]
        if sample and len(CONTROL.findall(sample)) / len(sample) > 0.01:
            raise UnreadableDispatch(path, "binary file (control characters)")
        text = strip_controls(text)
    return Decoded(unicodedata.normalize("NFC", text), decoded.replaced, decoded.first_replaced)


def refuse_known_binary(data: bytes, path: str) -> None:
    """UnreadableDispatch naming the kind of a binary file known by its first bytes."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise UnreadableDispatch(path, f"binary file ({kind})")


def _decode_bytes(data: bytes, path: str) -> Decoded:
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(_strict(data[len(codecs.BOM_UTF8) :], "utf-8", path))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(_strict(data, "utf-16", path))
    if b"\x00" in data:
        raise UnreadableDispatch(path, "binary file (contains NUL bytes)")
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", errors="surrogateescape")
    mixed = _mixed(escaped)
    if mixed is not None:
        return Decoded(mixed)
    replaced = _utf8_replaced(escaped)
    if replaced is not None:
        return replaced
    western = _western(data)
    if western is not None:
        return Decoded(western)
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDispatch(path, "undecodable bytes: not UTF-8 and no known encoding fits")
    return Decoded(str(best))


# A byte that is not UTF-8, as `surrogateescape` keeps it (U+DC80 to U+DCFF), and the
# Windows-1252 character each such byte stands for.
_STRAY_BYTE = re.compile("[\udc80-\udcff]")
_STRAY_CP1252 = {0xDC00 + b: bytes([b]).decode("cp1252", errors="replace") for b in range(0x80, 0x100)}


def _mixed(text: str) -> str | None:
    """UTF-8 with stray Windows-1252 bytes (a UTF-8 file with a Windows-1252 paragraph
    pasted in): each stray byte read as Windows-1252, when the file holds real UTF-8
    text too and the stray bytes then give French letters and signs.

    `text` is the file decoded with `surrogateescape`."""
    strays = _STRAY_BYTE.findall(text)
    if len(_NON_ASCII.findall(text)) == len(strays):
        return None  # no UTF-8 beyond ASCII: a single-byte file, for `_western`
    french = sum(n for c, n in Counter(strays).items() if _STRAY_CP1252[ord(c)] in _FRENCH)
    if french * 10 < len(strays) * 9:
        return None
    return text.translate(_STRAY_CP1252)


def _utf8_replaced(text: str) -> Decoded | None:
    """UTF-8 with a few stray bytes that are not French in Windows-1252 either (0x81, a
    cut sequence such as `\\xc3(`): the stray bytes replaced with U+FFFD, when the file
    holds at least as many real UTF-8 characters as stray bytes. A Windows-1252 or Latin-1 file
    holds almost no valid multi-byte sequence, so it is left to `_western`."""
    first = _STRAY_BYTE.search(text)
    if first is None:
        return None
    strays = len(_STRAY_BYTE.findall(text))
    if len(_NON_ASCII.findall(text)) - strays < strays:
        return None
    offset = len(text[: first.start()].encode("utf-8", errors="surrogateescape"))
    return Decoded(_STRAY_BYTE.sub("\ufffd", text), strays, offset)


def _western(data: bytes) -> str | None:
    """The text in the Western encoding that reads most like French, if one reads well.

    Reading well: French letters and signs outnumber other letters (names such as « Nardò »)
    two to one and anything else (C1 controls, box drawing…) ten to one. A Czech cp1250
    file read as Windows-1252 gives « ì », « ø », « ¹ »… and is left to charset-normalizer.
    """
    best: tuple[int, str] | None = None
    for encoding in _WESTERN:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        french = letters = others = 0
        for char, count in Counter(_NON_ASCII.findall(text[:_SCORE_SAMPLE])).items():
            if char in _FRENCH:
                french += count
            elif unicodedata.category(char).startswith("L"):
                letters += count
            else:
                others += count
        if french and letters * 2 <= french and others * 10 <= french:
            score = french - letters - others
            if best is None or score > best[0]:
                best = (score, text)
    return best[1] if best else None


def _strict(data: bytes, encoding: str, path: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableDispatch(
            path, f"undecodable bytes: declared {encoding} but byte {error.start} is invalid"
        ) from None
