"""CSV cells quoted as spreadsheets write them: a ``"`` inside a quoted cell is doubled (``""``). The dialect's
delimiter is guessed from the header line, which rarely has quotes: the quoting must not be guessed from it too, or
``"=HYPERLINK(""http://evil.example"",""clic"")"`` ends at its first ``""`` and shifts every later column."""

import pytest

from gie_erp.core.errors import DomainError
from gie_erp.core.imports import MB, ImportLimits, iter_table, read_table

LIMITS = ImportLimits(max_bytes=MB, max_rows=10)
FORMULA = '=HYPERLINK("http://evil.example","clic")'


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_doubled_quote_stays_in_its_cell(delimiter: str) -> None:
    cell = '"=HYPERLINK(""http://evil.example"",""clic"")"'
    content = delimiter.join(["code", "nom_fr", "prix_ttc"]) + "\n" + delimiter.join(["x1", cell, "12"]) + "\n"
    (row,) = read_table("f.csv", content.encode(), LIMITS)
    assert dict(row) == {"code": "x1", "nom_fr": FORMULA, "prix_ttc": "12"}
    _header, rows = iter_table("f.csv", content.encode(), LIMITS)
    assert [dict(r) for r in rows] == [{"code": "x1", "nom_fr": FORMULA, "prix_ttc": "12"}]


def test_quoted_cells_keep_their_delimiters_and_line_breaks() -> None:
    content = b'a;b;c\n"1;5";"dit ""oui""";"deux\nlignes"\n4;5;6\n'
    rows = read_table("f.csv", content, LIMITS)
    assert [dict(row) for row in rows] == [
        {"a": "1;5", "b": 'dit "oui"', "c": "deux\nlignes"},
        {"a": "4", "b": "5", "c": "6"},
    ]
    assert [row.number for row in rows] == [2, 3]  # a record, not a line of the file


def test_a_lone_quote_inside_an_unquoted_cell_is_kept() -> None:
    (row,) = read_table("f.csv", b'code,nom\nx,Pot 5" rouge\n', LIMITS)
    assert row["nom"] == 'Pot 5" rouge'


def test_a_one_column_sheet_an_empty_file_and_a_binary_one_read_or_refuse_in_words() -> None:
    """Regression (user pass): a one-column CSV gave "Fichier illisible : Could not determine delimiter", an empty
    one the same, a binary one "Fichier illisible : UTF-8"."""
    rows = read_table("w.csv", b"membre\ncoop-a\ncoop-b\n")
    assert [row["membre"] for row in rows] == ["coop-a", "coop-b"]
    with pytest.raises(DomainError) as empty:
        read_table("w.csv", b"  \n")
    assert empty.value.message("fr") == "Le fichier ne contient aucune ligne."
    with pytest.raises(DomainError) as binary:
        read_table("w.csv", b"\xff\xfe\x00a\x00b")
    assert binary.value.message("fr") == (
        "Ce fichier n'est pas un CSV en UTF-8 : enregistrez-le au format « CSV UTF-8 » ou en classeur XLSX."
    )
