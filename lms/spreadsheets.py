"""The one way we write .xlsx files: every value goes through ``cell()`` (or, for plain numbers and text that
openpyxl cannot take for a formula or an error code, ``_row_value`` passes it as it is).

Formula injection: openpyxl turns any string starting with "=" into a formula. A text value is written
as a string cell (data type "s"), so "=HYPERLINK(...)" or "+62812..." stays literal text, and numbers
stay numbers. Identity numbers (NIP/NIK) are always text with the "@" number format so Excel never
rounds them to 15 digits. Workbooks are written in streaming (write-only) mode.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


class Text(str):
    """Mark a value that must be text even if it looks like a number (NIP, NIK, phone)."""


class Formatted:
    """A value written with its own number format, e.g. ``Formatted(0.4567, "0.000")``: it stays a number."""

    __slots__ = ("value", "number_format")

    def __init__(self, value, number_format: str):
        self.value = value
        self.number_format = number_format


def cell(ws: Worksheet, value, *, bold: bool = False, number_format: str | None = None) -> WriteOnlyCell:
    """A safe cell for a write-only worksheet."""
    if isinstance(value, Text):
        c = WriteOnlyCell(ws, value=str(value))
        c.data_type = "s"
        c.number_format = "@"
    elif isinstance(value, str):
        c = WriteOnlyCell(ws, value=value)
        c.data_type = "s"  # never a formula, whatever the first character
    elif isinstance(value, datetime):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = DATE_FORMAT
    elif value is None or isinstance(value, bool | int | float):
        c = WriteOnlyCell(ws, value=value)
    else:
        c = WriteOnlyCell(ws, value=str(value))
        c.data_type = "s"
    if number_format:
        c.number_format = number_format
    if bold:
        c.font = HEADER_FONT
    return c


def _row_value(ws: Worksheet, value):
    """A value openpyxl writes safely as it is (a number, or text that cannot be read as a formula or an error
    code) goes without a cell object of its own, which is most of the cost of a big sheet; the rest through
    ``cell()``."""
    kind = type(value)
    if value is None or kind is int or kind is float or (kind is str and value[:1] not in ("=", "#")):
        return value
    if kind is Formatted:
        return cell(ws, value.value, number_format=value.number_format)
    return cell(ws, value)


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def add_table_sheet(
    wb: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    widths: Sequence[int] | None = None,
    title_rows: Sequence[str] = (),
) -> Worksheet:
    """A sheet with optional title lines, a bold frozen header with filters, and the rows."""
    ws = wb.create_sheet(title=title[:31])
    for index, width in enumerate(widths or [max(12, min(40, len(h) + 4)) for h in headers], start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    header_row = len(title_rows) + (2 if title_rows else 1)
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_options.gridLines = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    for line in title_rows:
        ws.append([cell(ws, line, bold=True)])
    if title_rows:
        ws.append([])
    header_cells = []
    for h in headers:
        c = cell(ws, h, bold=True)
        c.fill = HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")
        header_cells.append(c)
    ws.append(header_cells)
    count = 0
    for row in rows:
        ws.append([_row_value(ws, value) for value in row])
        count += 1
    last_col = get_column_letter(max(len(headers), 1))
    ws.auto_filter.ref = f"A{header_row}:{last_col}{header_row + max(count, 1)}"
    return ws


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(wb: Workbook, filename: str) -> Response:
    """Send a workbook as a download (``filename`` should end in .xlsx)."""
    from urllib.parse import quote

    response = Response(workbook_bytes(wb), mimetype=XLSX_MIMETYPE)
    ascii_name = filename.encode("ascii", "ignore").decode() or "data.xlsx"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
