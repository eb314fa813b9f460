"""Attendance as pass criteria for certificates: percent of sessions and of JP attended."""

from lms.attendance.queries import attendance_summary
from lms.certificates.criteria import ATTENDANCE_JP, ATTENDANCE_SESSIONS, register_criterion


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def attendance_percent_by_sessions(event) -> dict[int, float]:
    return {uid: _percent(done, total) for uid, (done, total, _jp, _total_jp) in attendance_summary(event).items()}


def attendance_percent_by_jp(event) -> dict[int, float]:
    return {uid: _percent(jp, total_jp) for uid, (_d, _t, jp, total_jp) in attendance_summary(event).items()}


def register() -> None:
    register_criterion(ATTENDANCE_SESSIONS, attendance_percent_by_sessions)
    register_criterion(ATTENDANCE_JP, attendance_percent_by_jp)
