"""Second robustness pass on reading files: each hostile file gives its dispatches and
says what was wrong in it, line by line; stray bytes stay local, HTML parsing has a
counted limit, dates have plausible years, and an HTML page is read as HTML whatever
its name."""

from __future__ import annotations

import pytest

from archive import UnreadableDispatch, read_file
from archive.dates import FIRST_YEAR, ImplausibleDate, last_year, parse_date
from archive.decode import decode_reporting
from archive.readers.html import MAX_TAGS
from hostile_cases import HOSTILE, SECOND_PASS

VERAN = "Olivier Véran, ministre de la Santé, a présenté le plan à l’Assemblée.\n"


@pytest.mark.parametrize("name", sorted(SECOND_PASS))
def test_a_second_pass_hostile_file_gives_its_dispatches_and_names_its_problems(name):
    dispatches, problems = SECOND_PASS[name]
    reading = read_file(HOSTILE / name, HOSTILE)
    assert [(d.id, d.title) for d in reading.dispatches] == dispatches
    assert [(p.path, p.reason) for p in reading.problems] == problems


# Item 4: one stray byte in a UTF-8 file stays one replaced byte, with its offset.


@pytest.mark.parametrize("stray", [b"\x81", b"\x9d", b"\xc3("])
def test_a_stray_byte_in_utf8_is_replaced_where_it_is_and_reported(stray):
    data = (VERAN * 3).encode() + b"Fin " + stray + " de la dépêche.\n".encode()
    decoded = decode_reporting(data, "plan.txt")
    assert decoded.text.count("Véran") == 3 and "Ã" not in decoded.text
    assert decoded.text.endswith("Fin \ufffd" + stray[1:].decode() + " de la dépêche.\n")
    assert (decoded.replaced, decoded.first_replaced) == (1, data.index(stray))
    assert decoded.warning() == f"not valid UTF-8: 1 byte at byte {data.index(stray)} replaced with U+FFFD"


def test_several_stray_bytes_are_counted_and_the_first_is_named(tmp_path):
    data = (VERAN * 4).encode() + b"\x81 et \x9d.\n"
    first = data.index(b"\x81")
    (tmp_path / "deux.txt").write_bytes(data)
    reading = read_file(tmp_path / "deux.txt", tmp_path)
    (dispatch,) = reading.dispatches
    assert "Véran" in dispatch.title
    assert [(p.path, p.reason) for p in reading.problems] == [
        ("deux.txt", f"not valid UTF-8: 2 bytes, the first at byte {first} replaced with U+FFFD")
    ]


# Item 6: the HTML parser only gets a counted number of tags.


def test_a_page_with_more_tags_than_the_limit_is_refused_by_name(tmp_path):
    (tmp_path / "balises.html").write_text("<p>a" * (MAX_TAGS + 1))
    with pytest.raises(UnreadableDispatch) as refused:
        read_file(tmp_path / "balises.html", tmp_path)
    assert (refused.value.path, refused.value.reason) == (
        "balises.html", f"too many HTML tags to parse (more than {MAX_TAGS:,})"
    )
    # At the limit, a page is read; `<` in the text is not a tag.
    (tmp_path / "limite.html").write_text("<title>Limite</title>" + "<b>a" * (MAX_TAGS - 1))
    (at_limit,) = read_file(tmp_path / "limite.html", tmp_path).dispatches
    assert at_limit.title == "Limite" and at_limit.paragraphs == ("a" * (MAX_TAGS - 1),)
    (tmp_path / "inegalites.html").write_text("<title>Comparaisons</title><p>" + "1 < 2 " * (MAX_TAGS + 1))
    (signs,) = read_file(tmp_path / "inegalites.html", tmp_path).dispatches
    assert signs.paragraphs[0].startswith("1 < 2 1 < 2")


# Item 13: plausible years, broken headers, HTML pages named .txt.


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", f"{FIRST_YEAR - 1}", f"1 janvier {last_year() + 1}"])
def test_a_date_outside_the_plausible_years_is_refused_with_the_range(text):
    with pytest.raises(ImplausibleDate) as refused:
        parse_date(text)
    assert str(refused.value).startswith(f"implausible date {text!r} (year ")
    assert str(refused.value).endswith(f"outside {FIRST_YEAR}–{last_year()})")
    # The bounds themselves are dates.
    assert [parse_date(t).iso() for t in (f"{FIRST_YEAR}", f"{last_year()}-12-31")] == [
        f"{FIRST_YEAR}", f"{last_year()}-12-31"
    ]


def test_an_implausible_date_in_html_metadata_is_reported_and_left_out(tmp_path):
    (tmp_path / "futur.html").write_text(
        '<meta property="article:published_time" content="9999-12-31"><h1>Futur</h1><p>Texte.</p>'
    )
    reading = read_file(tmp_path / "futur.html", tmp_path)
    assert reading.dispatches[0].date is None
    assert [(p.path, p.reason) for p in reading.problems] == [
        ("futur.html", "unreadable date in the page metadata: '9999-12-31'")
    ]


@pytest.mark.parametrize("header", ["date 12/2019", "Date: 2019/04/07", "DATE +2019"])
def test_a_header_that_tries_to_give_a_date_is_reported_and_left_out_of_the_title(tmp_path, header):
    (tmp_path / "entete.txt").write_text(f"{header} Le vrai titre\n\nLe texte.\n")
    reading = read_file(tmp_path / "entete.txt", tmp_path)
    assert reading.dispatches[0].title == "Le vrai titre"
    assert [(p.path, p.reason) for p in reading.problems] == [
        ("entete.txt", f"unrecognised date in the header: {header!r}")
    ]
    # The word « date » and a number that cannot be meant as a date are text.
    (tmp_path / "candidats.txt").write_text("Date 12 candidats se présentent\n\nLe texte.\n")
    reading = read_file(tmp_path / "candidats.txt", tmp_path)
    assert (reading.dispatches[0].title, reading.problems) == ("Date 12 candidats se présentent", ())


@pytest.mark.parametrize("start", ["<html>", "  \n<HTML lang=fr>", "<!doctype html>\n"])
def test_an_html_page_named_txt_is_read_without_its_markup(tmp_path, start):
    (tmp_path / "page.txt").write_text(f"{start}<head><title>Titre</title></head><p>Le <i>texte</i>.</p>")
    (dispatch,) = read_file(tmp_path / "page.txt", tmp_path).dispatches
    assert (dispatch.title, dispatch.paragraphs) == ("Titre", ("Le texte.",))
    # A text that only mentions a tag is text.
    (tmp_path / "balise.txt").write_text("La balise <html> ouvre une page\n\nLe texte.\n")
    (mention,) = read_file(tmp_path / "balise.txt", tmp_path).dispatches
    assert mention.title == "La balise <html> ouvre une page"


# Item 2, in HTML: JSON-LD may hold half an emoji too.


def test_a_lone_surrogate_in_json_ld_is_replaced(tmp_path):
    (tmp_path / "ld.html").write_text(
        '<script type="application/ld+json">{"headline": "Titre \\ud83d", "author": {"name": "Jean \\udc00"}}'
        "</script><p>Texte.</p>"
    )
    (dispatch,) = read_file(tmp_path / "ld.html", tmp_path).dispatches
    assert (dispatch.title, dispatch.byline) == ("Titre \ufffd", "Jean \ufffd")
