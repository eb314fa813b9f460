"""After the training day: does the database hold exactly what the simulated people sent?

Read with plain SQL on a connection of its own. Returns the list of problems (empty: everything is there once).
The recap and the ZIP the organiser downloaded are read back too (openpyxl, zipfile + pypdf).
"""

import zipfile
from io import BytesIO

from bench import trainingday_seed as day


def _problem(problems: list[str], ok: bool, message: str) -> None:
    if not ok:
        problems.append(message)


def check_database(database_url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    n = day.PARTICIPANTS
    problems: list[str] = []
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:

            def rows(sql: str, **params):
                return conn.execute(text(sql), params).all()

            qr = rows(
                "SELECT user_id, status, method FROM attendances WHERE session_id = :s ORDER BY user_id",
                s=day.QR_SESSION_ID,
            )
            _problem(problems, len(qr) == n, f"{len(qr)} QR-session attendance records, expected {n}")
            _problem(problems, {r[0] for r in qr} == set(range(1, n + 1)), "QR attendance: users missing or repeated")
            bad = [r for r in qr if (r[1], r[2]) != ("hadir", "qr")]
            _problem(problems, not bad, f"QR attendance not Hadir by QR, e.g. {bad[:3]}")
            total = rows("SELECT count(*) FROM attendances")[0][0]
            _problem(
                problems, total == n * day.SESSIONS, f"{total} attendance rows in all, expected {n * day.SESSIONS}"
            )

            progress = rows(
                "SELECT count(*), count(DISTINCT material_id * 100000 + user_id) FROM course_material_progress"
            )
            _problem(
                problems,
                tuple(progress[0]) == (2 * n, 2 * n),
                f"material progress rows {tuple(progress[0])}, expected {2 * n}",
            )

            attempts = rows("SELECT user_id, status, score, id FROM attempts ORDER BY user_id")
            _problem(problems, len(attempts) == n, f"{len(attempts)} attempts, expected {n}")
            _problem(problems, len({a[0] for a in attempts}) == len(attempts), "more than one attempt for someone")
            wrong = [(u, st, sc) for u, st, sc, _id in attempts if st != "submitted" or sc != day.expected_score(u)]
            _problem(problems, not wrong, f"attempts not submitted or wrongly scored, e.g. {wrong[:3]}")
            per_attempt = rows(
                "SELECT attempt_id, count(*), count(DISTINCT question_id) FROM answers GROUP BY attempt_id"
            )
            bad = [r for r in per_attempt if (r[1], r[2]) != (day.QUESTIONS, day.QUESTIONS)]
            _problem(problems, len(per_attempt) == n and not bad, f"answers per attempt wrong, e.g. {bad[:3]}")
            right = dict(
                rows(
                    "SELECT a.user_id, count(*) FROM answers x JOIN attempts a ON a.id = x.attempt_id "
                    "WHERE x.points_awarded > 0 GROUP BY a.user_id"
                )
            )
            bad = [u for u in range(1, n + 1) if right.get(u, 0) != day.right_answers(u)]
            _problem(problems, not bad, f"right answers stored differ from those sent, e.g. users {bad[:5]}")

            responses = rows("SELECT user_id, id FROM survey_responses WHERE survey_id = :s", s=day.SURVEY_ID)
            _problem(problems, len(responses) == n, f"{len(responses)} evaluation responses, expected {n}")
            _problem(problems, {r[0] for r in responses} == set(range(1, n + 1)), "evaluation: users missing/repeated")
            ratings = rows(
                "SELECT r.user_id, x.item_id, x.value FROM survey_ratings x "
                "JOIN survey_responses r ON r.id = x.response_id"
            )
            bad = [r for r in ratings if r[2] != 1 + (r[0] + r[1]) % 4]
            expected_ratings = n * day.SURVEY_ITEMS
            _problem(
                problems, len(ratings) == expected_ratings and not bad, f"{len(ratings)} ratings, wrong e.g. {bad[:3]}"
            )

            certificates = rows(
                "SELECT user_id, number, kind, revoked_at FROM certificates WHERE event_id = :e", e=day.EVENT_ID
            )
            passers = {i for i in range(1, n + 1) if day.passes(i)}
            holders = [c[0] for c in certificates]
            _problem(problems, len(holders) == len(set(holders)), "a participant holds two certificates")
            _problem(
                problems, set(holders) == passers, f"{len(set(holders))} certificate holders, expected {len(passers)}"
            )
            _problem(problems, len({c[1] for c in certificates}) == len(certificates), "duplicate certificate numbers")
            bad = [c for c in certificates if c[2] != "kelulusan" or c[3] is not None]
            _problem(problems, not bad, f"certificates of the wrong kind or revoked, e.g. {bad[:3]}")
    finally:
        engine.dispose()
    return problems


def check_downloads(recap: bytes, archive: bytes) -> list[str]:
    """The last recap names every participant (by NIP); the ZIP holds one PDF per passer."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from bench.seed import _nip

    problems: list[str] = []
    wb = load_workbook(BytesIO(recap), read_only=True)
    cells = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    missing = [i for i in range(1, day.PARTICIPANTS + 1) if _nip(i) not in cells]
    _problem(problems, not missing, f"{len(missing)} participants missing from the recap, e.g. {missing[:3]}")
    with zipfile.ZipFile(BytesIO(archive)) as zf:
        names = zf.namelist()
        passers = sum(1 for i in range(1, day.PARTICIPANTS + 1) if day.passes(i))
        _problem(
            problems, len(names) == passers == len(set(names)), f"{len(names)} PDFs in the ZIP, expected {passers}"
        )
        first = zf.read(names[0]) if names else b""
    if first:
        text = PdfReader(BytesIO(first)).pages[0].extract_text() or ""
        _problem(problems, "SERTIFIKAT" in text.upper(), "the first certificate in the ZIP does not say SERTIFIKAT")
    return problems
