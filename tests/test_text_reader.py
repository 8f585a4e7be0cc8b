"""Plain-text dispatches: the seeds, the date header, datelines, titles, paragraphs."""

from pathlib import Path

import pytest

from archive import DateSource, PartialDate, Precision, Reading, UnreadableDispatch, read_file
from archive.paragraphs import LONG_PARAGRAPH, TITLE_LENGTH, split_sentences

SEED_000 = "000_4375ea2097648a51.txt"
SEED_002 = "002_eb2ed1d0cd4a9010.txt"

FIRST_SENTENCE = (
    "L'armée américaine a annoncé dimanche le retrait provisoire de militaires stationnés en "
    "Libye, sans en préciser le nombre, à cause des violents combats qui opposent les troupes "
    "pro-gouvernementales aux forces loyales au maréchal Khalifa Haftar."
)
SECOND = "Au moins 35 personnes, dont des civils, ont été tuées des deux côtés dans des combats depuis jeudi."


def read(folder: Path, name: str, content: str | bytes) -> Reading:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return read_file(path, folder)


def read_one(folder: Path, content: str | bytes, name: str = "dépêche.txt"):
    reading = read(folder, name, content)
    assert len(reading.dispatches) == 1
    return reading.dispatches[0]


# The seeds


def test_seed_000_is_dated_by_its_header_and_has_eight_paragraphs(seeds_dir):
    reading = read_file(seeds_dir / SEED_000, seeds_dir)
    assert reading.problems == ()
    (dispatch,) = reading.dispatches
    assert dispatch.id == SEED_000
    assert dispatch.date == PartialDate(2019, 4)
    assert dispatch.precision == Precision.MONTH
    assert dispatch.date_source == DateSource.HEADER
    assert len(dispatch.paragraphs) == 8
    assert dispatch.paragraphs[0] == FIRST_SENTENCE
    assert dispatch.paragraphs[6] == SECOND
    assert dispatch.title_derived is True
    assert dispatch.title == (
        "L'armée américaine a annoncé dimanche le retrait provisoire de militaires stationnés "
        "en Libye, sans en…"
    )


def test_seed_000_loses_no_word_but_its_header(seeds_dir):
    raw = (seeds_dir / SEED_000).read_text(encoding="utf-8")
    (dispatch,) = read_file(seeds_dir / SEED_000, seeds_dir).dispatches
    assert " ".join(dispatch.paragraphs) == " ".join(raw.split()).removeprefix("date 2019-04 ")


def test_seed_002_has_no_date_and_one_paragraph_per_sentence(seeds_dir):
    raw = (seeds_dir / SEED_002).read_text(encoding="utf-8")
    assert "\n" not in raw.strip() and len(raw) > LONG_PARAGRAPH
    reading = read_file(seeds_dir / SEED_002, seeds_dir)
    assert reading.problems == ()
    (dispatch,) = reading.dispatches
    assert dispatch.date is None
    assert dispatch.precision is None
    assert dispatch.date_source == DateSource.NONE
    assert [p[:30] for p in dispatch.paragraphs] == [
        "Les Etats-Unis sont profondéme",
        "« Nous avons clairement indiqu",
        "« Les forces devraient revenir",
        "Vendredi, le Conseil de sécuri",
        "« Il n'y a pas de solution mil",
        "C'est pourquoi les Etats-Unis ",
        "Dimanche, l'offensive des forc",
        "Après une pause nocturne, les ",
        "Au moins 35 personnes, dont de",
        "Le ministère de la Santé du go",
    ]
    # Cut between sentences, nothing lost nor moved.
    assert " ".join(dispatch.paragraphs) == " ".join(raw.split())
    assert dispatch.title_derived is True
    assert dispatch.title == (
        "Les Etats-Unis sont profondément préoccupés par les combats près de Tripoli, a "
        "déclaré dimanche soir le…"
    )


def test_seed_002_repeats_paragraphs_of_000_word_for_word(seeds_dir):
    (first,) = read_file(seeds_dir / SEED_000, seeds_dir).dispatches
    (later,) = read_file(seeds_dir / SEED_002, seeds_dir).dispatches
    assert later.paragraphs[7:] == first.paragraphs[5:]
    assert later.paragraphs[8] == SECOND
    # The offensive paragraph was rewritten (« l'ANL » for « du maréchal Haftar »).
    assert later.paragraphs[6] != first.paragraphs[4]


# The date header

HEADERS = [
    ("date 2019", PartialDate(2019)),
    ("Date 2019", PartialDate(2019)),
    ("DATE 2019", PartialDate(2019)),
    ("date: 2019-04", PartialDate(2019, 4)),
    ("Date : 2019-04", PartialDate(2019, 4)),
    ("DATE:2019-04-07", PartialDate(2019, 4, 7)),
    ("date 07/04/2019", PartialDate(2019, 4, 7)),
    ("Date: 7 avril 2019", PartialDate(2019, 4, 7)),
    ("date 1er avril 2019", PartialDate(2019, 4, 1)),
    ("date avril 2019", PartialDate(2019, 4)),
    ("DATE 3 fevrier 2019", PartialDate(2019, 2, 3)),
    ("date 15 aout 2019", PartialDate(2019, 8, 15)),
    ("date 15 août 2019", PartialDate(2019, 8, 15)),
]
LAYOUTS = {
    "same line, as seed 000": " {header} {body}",
    "own line": "{header}\n{body}",
    "own paragraph": "{header}\n\n{body}",
    "after blank lines": "\n\n  {header}\r\n\r\n{body}",
}


@pytest.mark.parametrize(("header", "expected"), HEADERS)
@pytest.mark.parametrize("layout", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_date_header_in_every_form_and_place(tmp_path, header, expected, layout):
    text = layout.format(header=header, body=f"{FIRST_SENTENCE}\n\n{SECOND}\n")
    reading = read(tmp_path, "d.txt", text)
    assert reading.problems == ()
    (dispatch,) = reading.dispatches
    assert dispatch.date == expected
    assert dispatch.date_source == DateSource.HEADER
    assert dispatch.paragraphs == (FIRST_SENTENCE, SECOND)


@pytest.mark.parametrize("header", ["date 2019-13", "date 31/02/2019", "Date: 30 février 2019"])
@pytest.mark.parametrize("layout", [" {header} {body}", "{header}\n\n{body}"])
def test_impossible_header_date_keeps_the_dispatch_undated_with_a_problem(tmp_path, header, layout):
    reading = read(tmp_path, "impossible.txt", layout.format(header=header, body=FIRST_SENTENCE))
    (dispatch,) = reading.dispatches
    assert dispatch.date is None
    assert dispatch.date_source == DateSource.NONE
    assert dispatch.paragraphs == (FIRST_SENTENCE,)
    (problem,) = reading.problems
    assert problem.path == "impossible.txt"
    assert problem.reason == f"impossible date in the header: {header!r}"
    assert str(problem) == f"impossible.txt: impossible date in the header: {header!r}"


def test_a_date_word_that_is_not_a_header_stays_in_the_text(tmp_path):
    dispatch = read_one(tmp_path, "Date limite pour les candidats : lundi.\nSuite.")
    assert dispatch.date is None
    assert dispatch.paragraphs[0] == "Date limite pour les candidats : lundi. Suite."


def test_header_alone_is_unreadable(tmp_path):
    with pytest.raises(UnreadableDispatch) as caught:
        read(tmp_path, "vide.txt", "date 2019-04\n\n")
    assert str(caught.value) == "vide.txt: no text after the date header"


# Datelines


def test_dateline_in_the_text_dates_the_dispatch(tmp_path):
    dispatch = read_one(tmp_path, f"Paris, 7 avril 2019 (AFP) - {FIRST_SENTENCE}\n\n{SECOND}")
    assert dispatch.date == PartialDate(2019, 4, 7)
    assert dispatch.date_source == DateSource.DATELINE
    assert dispatch.precision == Precision.DAY


def test_dateline_after_a_title_line(tmp_path):
    dispatch = read_one(tmp_path, f"Libye\n\nTripoli, 1er avril 2019 (AFP) - {FIRST_SENTENCE}")
    assert dispatch.title == "Libye"
    assert dispatch.date == PartialDate(2019, 4, 1)
    assert dispatch.date_source == DateSource.DATELINE


def test_header_wins_over_dateline(tmp_path):
    dispatch = read_one(tmp_path, f"date 2019-04\n\nParis, 7 avril 2019 (AFP) - {FIRST_SENTENCE}")
    assert dispatch.date == PartialDate(2019, 4)
    assert dispatch.date_source == DateSource.HEADER


def test_a_year_in_a_sentence_is_not_a_dateline(tmp_path):
    dispatch = read_one(tmp_path, "Les combats ont détruit l'aéroport en 2014. Rien depuis.")
    assert dispatch.date is None
    assert dispatch.date_source == DateSource.NONE


# Titles


def test_short_first_line_without_final_punctuation_is_the_title(tmp_path):
    title = "Libye : l'armée américaine retire une partie de ses troupes"
    dispatch = read_one(tmp_path, f"date 2019-04\n\n{title}\n\n{FIRST_SENTENCE}\n\n{SECOND}")
    assert dispatch.title == title
    assert dispatch.title_derived is False
    assert dispatch.paragraphs == (FIRST_SENTENCE, SECOND)


@pytest.mark.parametrize("title", [
    "VIDÉO. Cécile Duflot critique le gouvernement !",
    "Pourquoi la Libye s'embrase ?",
    "Tripoli : « Nous ne partirons pas »",
    "Un mort dans les combats.",
])
def test_a_first_line_followed_by_a_blank_line_is_the_title_whatever_its_last_sign(tmp_path, title):
    dispatch = read_one(tmp_path, f" date 2019-04-07 {title}\n\n{FIRST_SENTENCE}\n\n{SECOND}")
    assert dispatch.title == title
    assert dispatch.title_derived is False
    assert dispatch.paragraphs == (FIRST_SENTENCE, SECOND)


def test_a_first_paragraph_of_several_lines_is_text(tmp_path):
    dispatch = read_one(tmp_path, f"Un mort dans les combats.\nLe bilan pourrait s'alourdir.\n\n{SECOND}")
    assert dispatch.title_derived is True
    assert dispatch.title == "Un mort dans les combats."
    assert dispatch.paragraphs == ("Un mort dans les combats. Le bilan pourrait s'alourdir.", SECOND)


def test_a_dateline_on_its_own_line_is_not_a_title(tmp_path):
    dispatch = read_one(tmp_path, f"Paris, 7 avril 2019 (AFP) -\n\n{SECOND}")
    assert dispatch.title_derived is True
    assert dispatch.paragraphs == ("Paris, 7 avril 2019 (AFP) -", SECOND)
    assert dispatch.date == PartialDate(2019, 4, 7)


def test_a_lone_short_line_is_the_text_and_its_derived_title(tmp_path):
    dispatch = read_one(tmp_path, "Tripoli sous les bombes")
    assert dispatch.title == "Tripoli sous les bombes"
    assert dispatch.title_derived is True
    assert dispatch.paragraphs == ("Tripoli sous les bombes",)


def test_derived_title_is_a_short_first_sentence_whole(tmp_path):
    dispatch = read_one(tmp_path, f"{SECOND} Le bilan pourrait s'alourdir.")
    assert dispatch.title == SECOND
    assert dispatch.title_derived is True


def test_derived_title_is_cut_on_a_word_boundary_within_the_bound(tmp_path):
    words = [f"mot{n:02d}" for n in range(40)]
    sentence = " ".join(words) + "."
    dispatch = read_one(tmp_path, sentence)
    # 18 words of 5 letters and their 17 spaces fill 107 characters; a 19th would need 113.
    assert dispatch.title == " ".join(words[:18]) + "…"
    assert len(dispatch.title) <= TITLE_LENGTH
    kept = dispatch.title.removesuffix("…")
    assert sentence.startswith(kept) and sentence[len(kept)] == " "


def test_derived_title_of_one_endless_word_is_cut_within_the_bound(tmp_path):
    dispatch = read_one(tmp_path, "x" * 500)
    assert dispatch.title == "x" * (TITLE_LENGTH - 1) + "…"


def test_title_does_not_stop_at_monsieur(tmp_path):
    dispatch = read_one(tmp_path, "M. Pompeo a appelé à l'arrêt immédiat des combats. La suite.")
    assert dispatch.title == "M. Pompeo a appelé à l'arrêt immédiat des combats."


# Sentences of a text written on one line

LONG_LINE = (
    "Le général Thomas D. Waldhauser, chef de l'Africom, a annoncé le retrait. "
    "M. Pompeo a appelé à l'arrêt des combats. "
    "MM. Trump et Macron se sont parlé au téléphone. "
    "« Il n'y a pas de solution militaire. » Le G7 a insisté. "
    "Selon J.-C. Martin, le plan des U.S. Army est prêt ! "
    "Pourquoi maintenant ? "
    "Les combats ont repris… Au moins 35 personnes ont été tuées depuis jeudi, 14 soldats. "
)


def test_a_long_line_is_cut_into_sentences_keeping_initials_and_titles(tmp_path):
    text = LONG_LINE * 8
    assert len(text) > LONG_PARAGRAPH
    dispatch = read_one(tmp_path, text)
    assert dispatch.paragraphs[:8] == (
        "Le général Thomas D. Waldhauser, chef de l'Africom, a annoncé le retrait.",
        "M. Pompeo a appelé à l'arrêt des combats.",
        "MM. Trump et Macron se sont parlé au téléphone.",
        "« Il n'y a pas de solution militaire. »",
        "Le G7 a insisté.",
        "Selon J.-C. Martin, le plan des U.S. Army est prêt !",
        "Pourquoi maintenant ?",
        "Les combats ont repris…",
    )
    assert len(dispatch.paragraphs) == 9 * 8


def test_a_short_text_on_one_line_stays_one_paragraph(tmp_path):
    dispatch = read_one(tmp_path, LONG_LINE)
    assert dispatch.paragraphs == (LONG_LINE.strip(),)


def test_split_sentences_keeps_closing_quotes_with_their_sentence():
    assert split_sentences('Il a dit "oui." Le reste suit. « Non. » Fin.') == (
        'Il a dit "oui."',
        "Le reste suit.",
        "« Non. »",
        "Fin.",
    )


def test_line_breaks_inside_a_paragraph_are_folded(tmp_path):
    dispatch = read_one(tmp_path, "Au moins 35 personnes,\ndont des civils,\r\nont été tuées.\n\n\n\nFin.")
    assert dispatch.paragraphs == ("Au moins 35 personnes, dont des civils, ont été tuées.", "Fin.")


def test_text_with_nothing_but_a_header_like_word_is_still_read(tmp_path):
    dispatch = read_one(tmp_path, "date")
    assert dispatch.paragraphs == ("date",)
    assert dispatch.date is None


# content_hash


def test_content_hash_ignores_line_endings_and_encoding(tmp_path):
    text = f"date 2019-04\n\nNoël à Tripoli\n\n{FIRST_SENTENCE}\n\n{SECOND}\n"
    variants = {
        "unix.txt": text.encode("utf-8"),
        "windows.txt": text.replace("\n", "\r\n").encode("cp1252"),
        "mac.txt": text.replace("\n", "\r").encode("utf-16"),
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "wrapped.txt": text.replace("dimanche le retrait", "dimanche\nle  retrait").encode(),
    }
    hashes = {name: read_one(tmp_path, data, name).content_hash for name, data in variants.items()}
    assert len(set(hashes.values())) == 1, hashes


def test_content_hash_changes_when_a_word_changes(tmp_path):
    before = read_one(tmp_path, f"{FIRST_SENTENCE}\n\n{SECOND}", "a.txt")
    after = read_one(tmp_path, f"{FIRST_SENTENCE}\n\n{SECOND.replace('35', '36')}", "b.txt")
    redated = read_one(tmp_path, f"date 2019-05 {FIRST_SENTENCE}\n\n{SECOND}", "c.txt")
    assert len({before.content_hash, after.content_hash, redated.content_hash}) == 3


def test_same_text_under_two_names_hashes_alike_but_keeps_its_id(tmp_path):
    (tmp_path / "sub").mkdir()
    first = read_one(tmp_path, SECOND, "a.txt")
    second = read_one(tmp_path, SECOND, "sub/b.TXT")
    assert first.content_hash == second.content_hash
    assert (first.id, second.id) == ("a.txt", "sub/b.TXT")
    assert second.source_path == "sub/b.TXT"
