"""Assessments as pass criteria: the best post-test score (0-100) and whether the event evaluation was filled."""

from lms.assessments.queries import evaluation_filled, post_test_scores
from lms.certificates.criteria import EVALUATION, POST_TEST, register_criterion


def register() -> None:
    register_criterion(POST_TEST, post_test_scores)
    register_criterion(EVALUATION, evaluation_filled)
