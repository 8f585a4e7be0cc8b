"""Sources (agencies, outlets) and authors read from each format, their spellings made
one, and no source where none is written (archive/credits.py and the readers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import read_file
from archive.credits import from_byline, in_text, source_name
from web.cli import cli

BODY = "Des combats ont éclaté au sud de la ville, selon des témoins joints sur place."


def read_one(folder: Path, name: str, content: str):
    path = folder / name
    path.write_text(content, encoding="utf-8")
    reading = read_file(path, folder)
    assert len(reading.dispatches) == 1
    return reading.dispatches[0]


def html(head: str = "", body: str = f"<article><p>{BODY}</p></article>") -> str:
    return f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def linked_data(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@type": "NewsArticle", **fields})}</script>'


# Normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["AFP", "afp", "Agence France-Presse", "Agence France Presse",
                                     "AGENCE FRANCE-PRESSE", "AFP-Services", "  AFP. "])
def test_the_spellings_of_afp_are_one_source(written):
    assert source_name(written) == "AFP"


@pytest.mark.parametrize(("written", "name"), [
    ("Associated Press", "AP"), ("The Associated Press", "AP"), ("AP", "AP"),
    ("Reuters", "Reuters"), ("REUTERS", "Reuters"), ("Thomson Reuters", "Reuters"),
])
def test_the_spellings_of_reuters_and_ap_are_one_source_each(written, name):
    assert source_name(written) == name


def test_an_unknown_source_is_kept_as_written_with_its_spaces_folded():
    assert source_name("  Ouest-France \n") == "Ouest-France"


@pytest.mark.parametrize(("byline", "sources", "authors"), [
    ("Jean Dupont", (), ("Jean Dupont",)),
    ("Jean Dupont et Marie Curie", (), ("Jean Dupont", "Marie Curie")),
    ("Jean Dupont, Marie Curie ; Paul Durand", (), ("Jean Dupont", "Marie Curie", "Paul Durand")),
    ("Par Jean Dupont (AFP)", ("AFP",), ("Jean Dupont",)),
    # The outlet « avec » an agency: two sources, the agency first, no author.
    ("Le Monde avec AFP", ("AFP", "Le Monde"), ()),
    ("Orange avec AFP-Services", ("AFP", "Orange"), ()),
    ("Jean Dupont avec AFP et Reuters", ("AFP", "Reuters"), ("Jean Dupont",)),
    ("Agence France-Presse", ("AFP",), ()),
    ("Source : BFMTV", ("BFMTV",), ()),
    # One word is no person's name: an outlet.
    ("6Medias", ("6Médias",), ()),
    # Words of an outlet's name, or a web address, are no person's.
    ("Non Stop Zapping", ("Non Stop Zapping",), ()),
    ("Huffington Post", ("Huffington Post",), ()),
    ("Vidéo Jeanmarcmorandini.com", ("Vidéo Jeanmarcmorandini.com",), ()),
    # A profile's address names no one.
    ("https://www.facebook.com/jean.dupont", (), ()),
])
def test_a_byline_gives_sources_and_authors(byline, sources, authors):
    assert from_byline(byline) == (sources, authors)


# In the text: a dateline at the start, a credit at the end, nothing in between ---------


@pytest.mark.parametrize(("paragraphs", "sources"), [
    (["TRIPOLI (AFP) - Des combats ont éclaté.", "Suite."], ("AFP",)),
    (["PARIS, 7 avril 2019 (Reuters) — Le gouvernement a annoncé.", "Suite."], ("Reuters",)),
    (["WASHINGTON (AP) - Le président a parlé."], ("AP",)),
    (["(AFP) - Des combats ont éclaté."], ("AFP",)),
    (["Des combats.", "Le bilan reste provisoire. (AFP)"], ("AFP",)),
    (["Des combats.", "Le bilan reste provisoire, avec AFP."], ("AFP",)),
    (["Des combats.", "(avec AFP et Reuters)"], ("AFP", "Reuters")),
    (["BERLIN (AFP/Reuters) - Accord.", "Fin. (AFP)"], ("AFP", "Reuters")),
])
def test_an_agency_signing_the_text_is_its_source(paragraphs, sources):
    assert in_text(paragraphs) == sources


@pytest.mark.parametrize("paragraphs", [
    # In the middle of the body, in a quote, in a sentence: no signature.
    ["Des combats ont éclaté.", "« Selon l'AFP (AFP) rien n'est joué », a-t-il dit.", "Fin de la dépêche."],
    ["Le correspondant (AFP) a vu les combats de près, dit-il.", "Fin."],
    ["Des combats.", "Il l'a confié à l'AFP."],
    ["Des combats.", "Il a parlé à l'AP lundi."],
    # A lower-case « ap » or « afp » is not the agency.
    ["Des combats.", "Fin du texte (afp)"],
    ["Le maire de Lyon (Rhône) - annonce un plan."],
])
def test_no_source_is_invented(paragraphs):
    assert in_text(paragraphs) == ()


# Each format ---------------------------------------------------------------------------


def test_plain_text_dateline(tmp_path):
    dispatch = read_one(tmp_path, "a.txt", f"Combats à Tripoli\n\nTRIPOLI (AFP) - {BODY}\n\nSuite de la dépêche.\n")
    assert (dispatch.sources, dispatch.authors) == (("AFP",), ())


def test_plain_text_trailer(tmp_path):
    dispatch = read_one(tmp_path, "a.txt", f"date 2019-04-07 Combats\n\n{BODY}\n\nLe bilan reste provisoire (avec AFP)\n")
    assert dispatch.sources == ("AFP",)


def test_plain_text_title_credit(tmp_path):
    dispatch = read_one(tmp_path, "a.txt", f"Heurts à Lesbos (AFP)\n\n{BODY}\n\nFin.\n")
    assert dispatch.sources == ("AFP",)


def test_plain_text_without_signature_has_no_source(tmp_path):
    dispatch = read_one(tmp_path, "a.txt", f"Combats\n\n{BODY} « (AFP) », dit-il.\n\nFin de la dépêche.\n")
    assert (dispatch.sources, dispatch.authors) == ((), ())


def test_html_meta_author_and_site_name(tmp_path):
    head = ('<meta name="author" content="Jean Dupont et Marie Curie">'
            '<meta property="og:site_name" content="Le Monde">')
    dispatch = read_one(tmp_path, "a.html", html(head))
    assert (dispatch.sources, dispatch.authors) == (("Le Monde",), ("Jean Dupont", "Marie Curie"))


def test_html_outlet_with_agency_and_article_author(tmp_path):
    head = ('<meta name="author" content="Le Monde avec AFP">'
            '<meta property="article:author" content="https://www.facebook.com/lemonde">'
            '<meta property="og:site_name" content="Le Monde">')
    dispatch = read_one(tmp_path, "a.html", html(head))
    assert (dispatch.sources, dispatch.authors) == (("AFP", "Le Monde"), ())


def test_html_json_ld_names_in_objects_and_lists(tmp_path):
    head = linked_data(
        headline="Combats",
        author=[{"@type": "Person", "name": "Jean Dupont"}, {"@type": "Person", "name": "Marie Curie"}, "Agence France-Presse"],
        publisher={"@type": "Organization", "name": "Ouest-France"},
    )
    dispatch = read_one(tmp_path, "a.html", html(head))
    assert (dispatch.sources, dispatch.authors) == (("AFP", "Ouest-France"), ("Jean Dupont", "Marie Curie"))


def test_html_trailer_in_the_last_paragraph(tmp_path):
    dispatch = read_one(tmp_path, "a.html", html(body=f"<article><p>{BODY}</p><p>Fin. (Reuters)</p></article>"))
    assert dispatch.sources == ("Reuters",)


def test_jsonl_source_and_authors(tmp_path):
    records = [
        {"id": "a", "title": "Un", "body": BODY, "author": ["Jean Dupont", "Marie Curie"], "source": "Agence France-Presse"},
        {"id": "b", "title": "Deux", "body": BODY, "author": "Orange avec AFP", "source": "Orange"},
        {"id": "c", "title": "Trois", "body": BODY},
    ]
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    first, second, third = read_file(path, tmp_path).dispatches
    assert (first.sources, first.authors) == (("AFP",), ("Jean Dupont", "Marie Curie"))
    assert (second.sources, second.authors) == (("AFP", "Orange"), ())
    assert (third.sources, third.authors) == ((), ())


def test_show_prints_sources_and_authors(tmp_path, runner):
    path = tmp_path / "a.html"
    path.write_text(html('<meta name="author" content="Jean Dupont (Reuters)">'), encoding="utf-8")
    shown = runner.invoke(cli, ["show", str(path)])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert (data["sources"], data["authors"]) == (["Reuters"], ["Jean Dupont"])


def test_the_hash_changes_with_the_credits_only_when_there_are_some(tmp_path):
    plain = read_one(tmp_path, "a.txt", f"Combats\n\n{BODY}\n\nFin.\n")
    signed = read_one(tmp_path, "b.txt", f"Combats\n\n{BODY}\n\nFin. (AFP)\n")
    unsigned = read_one(tmp_path, "c.txt", f"Combats\n\n{BODY}\n\nFin. AFP\n")
    assert signed.content_hash != unsigned.content_hash
    assert plain.sources == unsigned.sources == ()
