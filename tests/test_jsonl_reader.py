"""JSON Lines exports: one dispatch a line, broken lines reported and the others kept."""

import json
from pathlib import Path

import pytest

from archive import DateSource, PartialDate, Reading, UnreadableDispatch, read_file

BODY = (
    "L'armée américaine a annoncé dimanche le retrait provisoire de militaires.\n\n"
    "Au moins 35 personnes ont été tuées depuis jeudi."
)


def record(**fields) -> str:
    return json.dumps(fields, ensure_ascii=False)


def read(folder: Path, lines: list[str], name: str = "export.jsonl") -> Reading:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_file(path, folder)


def test_several_records_with_their_own_ids_or_line_numbers(tmp_path):
    reading = read(tmp_path, [
        record(id="a", date="2019-04-07", title="Retrait américain", body=BODY, author="Jean Dupont",
               url="https://exemple.fr/a"),
        record(id="b", date="2019-04", title="Combats à Tripoli", body="Les combats continuent."),
        "",
        record(title="Sans date", body="Un texte."),
    ])
    assert reading.problems == ()
    # The record's own id when it has one; the line number otherwise.
    assert [d.id for d in reading.dispatches] == ["export.jsonl#a", "export.jsonl#b", "export.jsonl#L4"]
    assert {d.source_path for d in reading.dispatches} == {"export.jsonl"}
    first, second, third = reading.dispatches
    assert first.title == "Retrait américain"
    assert first.title_derived is False
    assert first.paragraphs == (
        "L'armée américaine a annoncé dimanche le retrait provisoire de militaires.",
        "Au moins 35 personnes ont été tuées depuis jeudi.",
    )
    assert (first.date, first.date_source) == (PartialDate(2019, 4, 7), DateSource.HEADER)
    assert (first.byline, first.url) == ("Jean Dupont", "https://exemple.fr/a")
    assert second.date == PartialDate(2019, 4)
    assert (third.date, third.date_source) == (None, DateSource.NONE)


def test_a_broken_line_is_reported_with_its_number_and_the_others_kept(tmp_path):
    reading = read(tmp_path, [
        record(title="Premier", body="Un."),
        '{"title": "Cassé", "body": ',
        record(title="Troisième", body="Trois."),
    ])
    assert [d.title for d in reading.dispatches] == ["Premier", "Troisième"]
    assert [d.id for d in reading.dispatches] == ["export.jsonl#L1", "export.jsonl#L3"]
    (problem,) = reading.problems
    assert problem.path == "export.jsonl#L2"
    assert problem.reason.startswith("line 2: invalid JSON (")
    assert str(problem).startswith("export.jsonl#L2: line 2: invalid JSON (")


@pytest.mark.parametrize("line", ['["une", "liste"]', '"une chaîne"', "42", "null"])
def test_a_line_that_is_not_an_object(tmp_path, line):
    reading = read(tmp_path, [record(title="Bon", body="Bon."), line])
    assert [d.title for d in reading.dispatches] == ["Bon"]
    (problem,) = reading.problems
    assert (problem.path, problem.reason) == ("export.jsonl#L2", "line 2: not a JSON object")


@pytest.mark.parametrize(
    "line",
    [record(id="x"), record(title="", body="   "), record(title=12, body={"texte": "objet"}), "{}"],
)
def test_a_record_with_no_title_and_no_body(tmp_path, line):
    reading = read(tmp_path, [line, record(title="Bon", body="Bon.")])
    assert [d.id for d in reading.dispatches] == ["export.jsonl#L2"]
    (problem,) = reading.problems
    assert (problem.path, problem.reason) == ("export.jsonl#L1", "line 1: no title and no body")


def test_a_record_with_a_body_only_gets_a_derived_title(tmp_path):
    (dispatch,) = read(tmp_path, [record(body=BODY)]).dispatches
    assert dispatch.title == "L'armée américaine a annoncé dimanche le retrait provisoire de militaires."
    assert dispatch.title_derived is True


def test_a_record_with_a_title_only_is_its_own_text(tmp_path):
    (dispatch,) = read(tmp_path, [record(title="Brève : Tripoli bombardée")]).dispatches
    assert dispatch.paragraphs == ("Brève : Tripoli bombardée",)
    assert dispatch.title_derived is False


def test_an_impossible_date_keeps_the_record_undated_with_a_problem(tmp_path):
    reading = read(tmp_path, [record(title="T", body="B.", date="2019-02-30")])
    (dispatch,) = reading.dispatches
    assert (dispatch.date, dispatch.date_source) == (None, DateSource.NONE)
    (problem,) = reading.problems
    assert (problem.path, problem.reason) == (
        "export.jsonl#L1", "line 1: impossible date '2019-02-30', kept undated"
    )


def test_published_stands_in_for_a_missing_date(tmp_path):
    (dispatch,) = read(tmp_path, [record(title="T", body="B.", date=None,
                                         published="2019-04-07T10:30:00+02:00")]).dispatches
    assert dispatch.date == PartialDate(2019, 4, 7)


def test_source_is_the_byline_when_there_is_no_author(tmp_path):
    (dispatch,) = read(tmp_path, [record(title="T", body="B.", source="AFP")]).dispatches
    assert dispatch.byline == "AFP"


def test_windows_line_endings_and_one_line_bodies(tmp_path):
    path = tmp_path / "crlf.jsonl"
    path.write_bytes((record(title="A", body="Un.") + "\r\n" + record(title="B", body="Deux.") + "\r\n").encode())
    reading = read_file(path, tmp_path)
    assert [(d.id, d.paragraphs) for d in reading.dispatches] == [
        ("crlf.jsonl#L1", ("Un.",)),
        ("crlf.jsonl#L2", ("Deux.",)),
    ]


def test_a_file_with_no_readable_line_is_unreadable(tmp_path):
    with pytest.raises(UnreadableDispatch) as caught:
        read(tmp_path, ["pas du JSON", "[]"], "casse.jsonl")
    assert caught.value.path == "casse.jsonl"
    assert caught.value.reason.startswith("no readable line (2 broken; first: line 1: invalid JSON (")


def test_a_deeply_nested_line_is_a_problem_not_a_crash(tmp_path):
    reading = read(tmp_path, ["[" * 100_000 + "]" * 100_000, record(title="Bon", body="Bon.")])
    assert [d.id for d in reading.dispatches] == ["export.jsonl#L2"]
    (problem,) = reading.problems
    assert problem.path == "export.jsonl#L1"


def test_a_repeated_or_unusable_record_id_falls_back_to_the_line_number(tmp_path):
    reading = read(tmp_path, [
        record(id="a", title="Un", body="Premier."),
        record(id="a", title="Deux", body="Même id."),
        record(id="avec espace", title="Trois", body="Id illisible."),
        record(id=42, title="Quatre", body="Id numérique."),
    ])
    assert [d.id for d in reading.dispatches] == [
        "export.jsonl#a", "export.jsonl#L2", "export.jsonl#L3", "export.jsonl#42",
    ]
