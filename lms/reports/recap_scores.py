"""The Nilai sheet (pre, post, gain, normalised gain and result per participant) and the Per Instansi sheet
(participants, passed, pass rate, average post-test and JP per agency) of the event recap."""

from flask_babel import gettext as _
from openpyxl import Workbook

from lms.assessments.scoring import normalised_gain
from lms.reports.event_data import EventRecapData
from lms.reports.event_scores import event_scores, g_category
from lms.spreadsheets import Formatted, Text, add_table_sheet

SCORE_FORMAT = "0.00"
UNDEFINED = "—"  # g with a perfect pre-test


def category_label(code: str) -> str:
    return {"high": _("Tinggi"), "medium": _("Sedang"), "low": _("Rendah")}.get(code, "")


def result_label(passed: bool | None) -> str:
    if passed is None:
        return UNDEFINED
    return _("Lulus") if passed else _("Tidak lulus")


def _score(value, fmt: str = SCORE_FORMAT):
    return None if value is None else Formatted(value, fmt)


def scores_sheet(wb: Workbook, data: EventRecapData, title_rows) -> None:
    scores = event_scores(data)
    headers = [
        _("No."),
        _("NIP"),
        _("Nama"),
        _("Instansi"),
        _("Pre-test"),
        _("Post-test"),
        _("Kenaikan (post - pre)"),
        _("Gain ternormalisasi (g)"),
        _("Kategori g"),
        _("Hasil"),
    ]
    labels = {code: category_label(code) for code in ("high", "medium", "low")}
    result = {None: result_label(None), True: result_label(True), False: result_label(False)}

    def rows():
        # Scores carry two decimals and g is rounded to four: plain numbers, no styled cell per value on a big sheet.
        for number, row in enumerate(scores.rows(), start=1):
            pre, post = row.pre, row.post
            if pre is None or post is None:
                gain = g = None
                shown_g = None
            else:
                gain, g = round(post - pre, 2), normalised_gain(pre, post)
                shown_g = UNDEFINED if g is None else round(g, 4)
            yield [
                number,
                Text(row.nip or ""),
                row.name,
                row.agency,
                pre,
                post,
                gain,
                shown_g,
                labels.get(g_category(g), ""),
                result[row.passed],
            ]

    rule = (
        _("Hasil menurut aturan kelulusan acara (termasuk keputusan panitia).")
        if scores.verdicts.has_rule
        else _("Belum ada aturan kelulusan: hasil menurut nilai lulus post-test (termasuk keputusan panitia).")
    )
    legend = _(
        "Nilai terbaik tiap peserta. g = (post - pre) / (100 - pre); pre-test 100: g tidak terdefinisi (—) dan tidak "
        "dihitung dalam rata-rata. Kategori g: tinggi >= 0,7; sedang 0,3-0,7; rendah < 0,3."
    )
    add_table_sheet(
        wb,
        _("Nilai"),
        headers,
        rows(),
        widths=[6, 22, 36, 30, 10, 10, 12, 14, 11, 12],
        title_rows=[*title_rows, legend, rule],
    )


def agencies_sheet(wb: Workbook, data: EventRecapData, title_rows) -> None:
    scores = event_scores(data)
    headers = [
        _("No."),
        _("Instansi"),
        _("Peserta diterima"),
        _("Lulus"),
        _("Tingkat kelulusan (%)"),
        _("Rata-rata post-test"),
        _("Total JP hadir"),
        _("Total JP diakui (sertifikat)"),
    ]

    def rows():
        for number, (name, tally) in enumerate(sorted(scores.agencies.items(), key=lambda a: a[0].lower()), start=1):
            yield [
                number,
                name,
                tally.participants,
                tally.passed,
                _score(tally.pass_rate),
                _score(tally.mean_post),
                tally.attended_jp,
                tally.certified_jp,
            ]

    note = _("Peserta yang diterima, menurut instansi akunnya; lulus menurut kolom Hasil pada lembar Nilai.")
    add_table_sheet(
        wb,
        _("Per Instansi"),
        headers,
        rows(),
        widths=[6, 40, 12, 10, 14, 14, 12, 16],
        title_rows=[*title_rows, note],
    )
