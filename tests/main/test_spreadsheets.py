"""The one .xlsx writer: formulas cannot get in, identity numbers stay text, numbers stay numbers."""

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from lms.spreadsheets import Text, add_table_sheet, new_workbook, workbook_bytes


def _read(data: bytes):
    return load_workbook(BytesIO(data))


def test_cells_are_safe_and_typed():
    wb = new_workbook()
    rows = [
        ['=HYPERLINK("http://evil","klik")', Text("198507152010011003"), 87.5, date(2026, 11, 22)],
        ["+62812", Text("3201014107900001"), 3, None],
        ["@SUM(A1)", "-1", 0, None],
        ["\tTab", "\rCR", -2, None],
    ]
    ws = add_table_sheet(wb, "Peserta", ["Nama", "NIP/NIK", "Nilai", "Tanggal"], rows, title_rows=["Rekap Uji"])
    assert ws.title == "Peserta"
    book = _read(workbook_bytes(wb))
    sheet = book["Peserta"]
    assert sheet["A1"].value == "Rekap Uji"
    assert [c.value for c in sheet[3]] == ["Nama", "NIP/NIK", "Nilai", "Tanggal"]
    assert sheet["A3"].font.bold
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:D7"
    first = sheet[4]
    assert first[0].value == '=HYPERLINK("http://evil","klik")' and first[0].data_type == "s"
    assert first[1].value == "198507152010011003" and first[1].data_type == "s"
    assert first[1].number_format == "@"
    assert first[2].value == 87.5 and first[2].data_type == "n"
    assert first[3].value.date() == date(2026, 11, 22)
    for row in sheet.iter_rows(min_row=4):
        for c in row:
            assert c.data_type != "f"
    assert sheet["C6"].value == 0 and sheet["C7"].value == -2


def test_formatted_values_keep_their_type_and_format():
    from lms.spreadsheets import Formatted

    wb = new_workbook()
    rows = [[Formatted(0.45678, "0.000"), Formatted(79.1667, "0.00"), Formatted('=1+1"', "0.00")]]
    add_table_sheet(wb, "Angka", ["g", "IKM", "Teks"], rows)
    first = _read(workbook_bytes(wb))["Angka"][2]
    assert first[0].value == 0.45678 and first[0].data_type == "n" and first[0].number_format == "0.000"
    assert first[1].value == 79.1667 and first[1].number_format == "0.00"
    assert first[2].value == '=1+1"' and first[2].data_type == "s"  # a formatted text is still never a formula
