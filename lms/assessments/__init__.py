"""Assessments: question banks, pre/post tests and quizzes, attempts, scoring, evaluation surveys and IKM."""
