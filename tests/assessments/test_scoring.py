"""Scoring of each question type, normalised gain, discrimination and the IKM index against hand computations."""

import pytest

from lms.assessments import scoring
from lms.assessments.ikm import band, compute_ikm
from lms.assessments.models import Answer

from .conftest import correct, wrong


def test_single_choice_full_points_only_for_the_key(bank):
    q = bank["single"]
    assert scoring.auto_points(q, correct(q)) == 2.0
    assert scoring.auto_points(q, wrong(q)) == 0.0
    assert scoring.auto_points(q, []) == 0.0


def test_multiple_choice_is_all_or_nothing(bank):
    q = bank["multiple"]
    keys = correct(q)
    assert len(keys) == 2
    assert scoring.auto_points(q, keys) == 1.0
    assert scoring.auto_points(q, keys[:1]) == 0.0  # one of two right answers: no partial credit
    assert scoring.auto_points(q, keys + wrong(q)) == 0.0  # all right ones plus a wrong one


def test_true_false(bank):
    q = bank["true_false"]
    assert [o.text for o in q.options] == ["Benar", "Salah"]
    assert scoring.auto_points(q, correct(q)) == 1.0
    assert scoring.auto_points(q, wrong(q)) == 0.0


def test_short_answer_is_left_to_the_organiser(bank):
    q = bank["short"]
    assert scoring.auto_points(q, []) is None
    answers = {q.id: Answer(question_id=q.id, text="Aparatur Sipil Negara", points_awarded=None)}
    score, pending = scoring.attempt_score([q], answers)
    assert (score, pending) == (0.0, True)
    answers[q.id].points_awarded = 1.0
    assert scoring.attempt_score([q], answers) == (50.0, False)


def test_attempt_score_is_percent_of_points(bank):
    questions = list(bank.values())  # 2 + 1 + 1 + 2 = 6 points
    answers = {
        bank["single"].id: Answer(points_awarded=2.0),
        bank["multiple"].id: Answer(points_awarded=0.0),
        bank["true_false"].id: Answer(points_awarded=1.0),
        bank["short"].id: Answer(points_awarded=2.0, text="x"),
    }
    assert scoring.attempt_score(questions, answers) == (83.33, False)


@pytest.mark.parametrize(
    ("pre", "post", "g"),
    [
        (40, 70, 0.5),
        (0, 100, 1.0),
        (80, 60, -1.0),
        (100, 100, None),
        (100, 90, None),
        (None, 80, None),
        (50, None, None),
    ],
)
def test_normalised_gain(pre, post, g):
    assert scoring.normalised_gain(pre, post) == g


def test_discrimination_upper_minus_lower_27_percent():
    # 10 participants: round(2.7) = 3 in each group. Top 3 all correct, bottom 3: one correct.
    rows = [(95, True), (90, True), (85, True), (70, False), (60, True), (55, False), (50, True), (40, False),
            (30, True), (20, False)]  # fmt: skip
    assert scoring.discrimination(rows) == pytest.approx(1 - 1 / 3)
    assert scoring.discrimination([(50, True)]) is None


def test_ikm_against_a_hand_computed_example_with_nine_unsur():
    # Two respondents over the nine unsur.
    r1 = [4, 4, 3, 3, 4, 3, 4, 3, 4]
    r2 = [3, 4, 3, 2, 4, 3, 4, 3, 3]
    result = compute_ikm([[a, b] for a, b in zip(r1, r2, strict=True)], respondents=2)
    # NRR: 3.5 4 3 2.5 4 3 4 3 3.5 -> sum 30.5; x 1/9 = 3.38889; x 25 = 84.722 -> 84.72 (B).
    assert result.nrr == [3.5, 4.0, 3.0, 2.5, 4.0, 3.0, 4.0, 3.0, 3.5]
    assert result.ikm == 84.72  # with the rounded weight 0.111 it would be 84.64: we use exactly 1/9
    assert result.band == "B"
    assert str(result.band_label) == "Baik"


def test_ikm_three_items_and_unrated_item():
    result = compute_ikm([[4, 3, 4, 3], [3, 3, 2, 4], [4, 4, 4, 3]], respondents=4)
    assert result.ikm == 85.42  # (3.5 + 3.0 + 3.75) / 3 * 25
    assert compute_ikm([[4], []]).ikm is None
    assert compute_ikm([[4, 4], [4, 4]]).ikm == 100.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(25.0, "D"), (64.99, "D"), (65.0, "C"), (76.60, "C"), (76.61, "B"), (88.30, "B"), (88.31, "A"), (100.0, "A")],
)
def test_ikm_bands(value, expected):
    assert band(value) == expected
