"""Scoring of answers and attempts (0-100), normalised gain, and item analysis.

Single choice and true/false: full points when the chosen option is the correct one. Multiple choice is
all-or-nothing: full points only when the chosen set equals the set of correct options (no partial credit).
Short answers get the points the organiser awards (0..points); until graded they count 0 and the attempt is
marked ``needs_grading``.
"""

from lms.assessments.models import QuestionKind


def auto_points(question, option_ids) -> float | None:
    """Points for an answer to an automatically scored question; None for a short answer (organiser-graded)."""
    if question.kind is QuestionKind.short:
        return None
    chosen = set(option_ids or [])
    correct = question.correct_ids
    return float(question.points) if chosen and chosen == correct else 0.0


def attempt_score(questions, answers_by_qid) -> tuple[float, bool]:
    """(score 0-100, needs_grading) over ``questions`` given {question_id: Answer}."""
    total = sum(q.points for q in questions)
    earned = 0.0
    pending = False
    for q in questions:
        answer = answers_by_qid.get(q.id)
        if answer is None:
            continue
        if answer.points_awarded is None:
            if q.kind is QuestionKind.short and (answer.text or "").strip():
                pending = True
            continue
        earned += answer.points_awarded
    return (round(100.0 * earned / total, 2) if total else 0.0), pending


def normalised_gain(pre: float | None, post: float | None) -> float | None:
    """g = (post - pre) / (100 - pre); undefined (None) with a perfect pre-test or a missing score."""
    if pre is None or post is None or pre >= 100:
        return None
    return (post - pre) / (100.0 - pre)


def discrimination(rows: list[tuple[float, bool]], share: float = 0.27) -> float | None:
    """Upper-lower index for one question: rows are (total score, answered correctly) per participant.
    The top and bottom 27% (at least one each) are compared: p(upper) - p(lower). None with fewer than 2 rows."""
    if len(rows) < 2:
        return None
    ranked = sorted(rows, key=lambda r: r[0], reverse=True)
    n = max(1, round(share * len(ranked)))
    upper, lower = ranked[:n], ranked[-n:]
    return sum(c for _s, c in upper) / n - sum(c for _s, c in lower) / n
