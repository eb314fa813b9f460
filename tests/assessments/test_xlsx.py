"""Question bank import and export as .xlsx: round trip, and bad rows reported by row number."""

import re
from io import BytesIO

from openpyxl import Workbook, load_workbook

from lms.assessments.models import Question, QuestionKind
from lms.assessments.xlsx import HEADERS


def _upload(rows) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _post(client, event, buffer):
    return client.post(
        f"/kelola/acara/{event.id}/tes/soal/impor",
        data={"file": (buffer, "soal.xlsx")},
        content_type="multipart/form-data",
    )


def blank(n):
    return [None] * n


def test_import_reports_bad_rows_by_number_and_imports_the_rest(db, client_as, organiser, event):
    rows = [
        ["pg", "Ibu kota Banten?", 2, "Serang", "Cilegon", None, None, None, None, "1"],  # row 2
        ["pg-kompleks", "Data pribadi?", 1, "NIK", "Nama jalan", "No HP", None, None, None, "A,C"],  # 3
        ["bs", "NIP 18 digit.", 1, *blank(6), "Benar"],  # 4
        ["isian", "Singkatan ASN?", 2, *blank(6), "Aparatur Sipil Negara"],  # 5
        ["esai", "Jenis tak dikenal", 1, *blank(6), ""],  # 6: unknown kind
        ["pg", "Dua kunci", 1, "A", "B", None, None, None, None, "1,2"],  # 7: two keys for single choice
        ["pg", "Kunci di luar", 1, "A", "B", None, None, None, None, "5"],  # 8: no option 5
        ["pg", "", 1, "A", "B", None, None, None, None, "1"],  # 9: empty question
        [None] * 10,  # 10: blank, skipped
        ["bs", "Kunci salah tulis", 1, *blank(6), "Mungkin"],  # 11
        ["pg", '=HYPERLINK("x")', 1, "A", "B", None, None, None, None, "1"],  # 12: a formula
        ["pg", "Poin aneh", "banyak", "A", "B", None, None, None, None, "1"],  # 13
    ]
    response = _post(client_as(organiser), event, _upload(rows))
    assert response.status_code == 200
    rejected = {int(n): reason for n, reason in re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", response.text)}
    assert sorted(rejected) == [6, 7, 8, 9, 11, 12, 13]
    assert "esai" in rejected[6] and "tepat satu" in rejected[7] and "tidak ada" in rejected[8]
    assert "rumus" in rejected[12]
    assert "4 soal diimpor, 7 baris ditolak." in response.text
    questions = db.session.query(Question).order_by(Question.id).all()
    assert [q.kind for q in questions] == [
        QuestionKind.single,
        QuestionKind.multiple,
        QuestionKind.true_false,
        QuestionKind.short,
    ]
    assert [o.text for o in questions[1].options if o.is_correct] == ["NIK", "No HP"]
    assert questions[3].answer_key == "Aparatur Sipil Negara"


def test_export_then_import_round_trip(db, client_as, organiser, event, bank, make_event):
    client = client_as(organiser)
    response = client.get(f"/kelola/acara/{event.id}/tes/soal/ekspor.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert values[1][:4] == ("pg", "Ibu kota Banten?", 2, "Serang") and values[1][-1] == "1"
    assert values[2][-1] == "1,3" and values[3][-1] == "Benar"
    other = make_event(organisers=[organiser])
    _post(client, other, BytesIO(response.data))
    copied = db.session.query(Question).filter_by(event_id=other.id).order_by(Question.id).all()
    original = list(bank.values())
    assert [(q.kind, q.text, q.points, q.answer_key) for q in copied] == [
        (q.kind, q.text, q.points, q.answer_key) for q in original
    ]
    assert [[(o.text, o.is_correct) for o in q.options] for q in copied] == [
        [(o.text, o.is_correct) for o in q.options] for q in original
    ]


def test_not_an_xlsx_is_refused(db, client_as, organiser, event):
    response = _post(client_as(organiser), event, BytesIO(b"Jenis;Pertanyaan\npg;x"))
    assert response.status_code == 400 and "bukan berkas Excel" in response.text
    assert db.session.query(Question).count() == 0


def test_pre_post_report_export(db, client_as, organiser, make_user, enrol, event, bank, make_test):
    from lms.assessments import operations as ops
    from lms.assessments.models import AssessmentKind
    from lms.db import utcnow

    s, t = bank["single"], bank["true_false"]  # 2 + 1 points
    pre = make_test(AssessmentKind.pre, questions=[s, t])
    post = make_test(AssessmentKind.post, questions=[s, t])
    user = enrol(event, make_user(name="Ana", nip="198501152010011006"))
    for test, picks in ((pre, {t: [o.id for o in t.options if o.is_correct]}), (post, {s: [s.options[0].id]})):
        attempt = ops.start_attempt(test, user, utcnow())
        for q, ids in picks.items():
            ops.save_answer(attempt, q, ids, None, utcnow())
        ops.submit_attempt(attempt, utcnow())
    db.session.commit()
    response = client_as(organiser).get(f"/kelola/acara/{event.id}/tes/laporan.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert rows[0][0] == event.title
    header = rows[2]
    assert header[:3] == ("Nama", "NIP", "Instansi")
    ana = rows[3]
    assert ana[0] == "Ana" and ana[1] == "198501152010011006"  # text, all 18 digits
    assert ana[3:8] == (33.33, 66.67, 33.34, 0.5, "Tidak")  # passing grade 70
    assert rows[4][0] == "Rata-rata kelas"
