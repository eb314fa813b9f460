"""Pass criteria: a registry of providers, and the evaluation of an event's rule for each participant.

The data behind the criteria (attendance, post-test scores, evaluations, materials) belongs to other features.
Each registers a provider when it is imported: a function ``(event) -> {user_id: value}`` for all participants
of the event at once, e.g. ``register_criterion(ATTENDANCE_SESSIONS, attendance_percent_by_sessions)``. A
criterion without a registered provider is not offered and not evaluated. Values:

- ``attendance_sessions`` / ``attendance_jp``: percent (0-100) of the sessions / of the JP attended;
- ``post_test_score``: the post-test score (0-100);
- ``evaluation_filled``: True when the participant filled in the event evaluation;
- ``materials_completed``: percent (0-100) of the event's materials completed (met at 100).

A participant missing from a provider's result has not met that criterion.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from lms.certificates.models import AttendanceBasis, CompletionOverride, CompletionRule, OverrideResult

ATTENDANCE_SESSIONS = "attendance_sessions"
ATTENDANCE_JP = "attendance_jp"
POST_TEST = "post_test_score"
EVALUATION = "evaluation_filled"
MATERIALS = "materials_completed"

CRITERION_LABELS = {
    ATTENDANCE_SESSIONS: _l("Kehadiran (sesi)"),
    ATTENDANCE_JP: _l("Kehadiran (JP)"),
    POST_TEST: _l("Nilai post-test"),
    EVALUATION: _l("Evaluasi diisi"),
    MATERIALS: _l("Materi selesai"),
}

Provider = Callable[[object], dict[int, object]]
_PROVIDERS: dict[str, Provider] = {}


def register_criterion(name: str, provider: Provider) -> None:
    if name not in CRITERION_LABELS:
        raise ValueError(f"unknown completion criterion {name!r}")
    _PROVIDERS[name] = provider


def unregister_criterion(name: str) -> None:
    _PROVIDERS.pop(name, None)


def available_criteria() -> set[str]:
    return set(_PROVIDERS)


def attendance_available() -> bool:
    return bool(_PROVIDERS.keys() & {ATTENDANCE_SESSIONS, ATTENDANCE_JP})


@dataclass(frozen=True)
class ActiveCriterion:
    name: str
    threshold: float | None  # None for yes/no criteria

    @property
    def label(self) -> str:
        return str(CRITERION_LABELS[self.name])

    def met(self, value) -> bool:
        if value is None:
            return False
        if self.threshold is None:
            return bool(value)
        return float(value) >= self.threshold


def active_criteria(rule: CompletionRule | None) -> list[ActiveCriterion]:
    """The rule's criteria that are both set and backed by a registered provider, in a fixed order."""
    if rule is None:
        return []
    wanted: list[ActiveCriterion] = []
    if rule.min_attendance is not None:
        name = ATTENDANCE_JP if rule.attendance_basis is AttendanceBasis.jp else ATTENDANCE_SESSIONS
        wanted.append(ActiveCriterion(name, float(rule.min_attendance)))
    if rule.min_post_test is not None:
        wanted.append(ActiveCriterion(POST_TEST, float(rule.min_post_test)))
    if rule.require_evaluation:
        wanted.append(ActiveCriterion(EVALUATION, None))
    if rule.require_materials:
        wanted.append(ActiveCriterion(MATERIALS, 100.0))
    return [c for c in wanted if c.name in _PROVIDERS]


@dataclass
class CriterionResult:
    criterion: ActiveCriterion
    value: object
    met: bool


@dataclass
class Outcome:
    """One participant's result: each criterion, the rule's verdict, and the organiser's override if any."""

    user: object
    results: list[CriterionResult] = field(default_factory=list)
    override: CompletionOverride | None = None
    attended: bool = True

    @property
    def rule_passed(self) -> bool:
        return all(r.met for r in self.results)

    @property
    def passed(self) -> bool:
        if self.override is not None and self.override.result is not OverrideResult.cleared:
            return self.override.result is OverrideResult.passed
        return self.rule_passed

    @property
    def overridden(self) -> bool:
        return self.override is not None and self.override.result is not OverrideResult.cleared


def evaluate(
    event, rule: CompletionRule | None, users: list, overrides: dict[int, CompletionOverride]
) -> list[Outcome]:
    """Evaluate ``users`` (the event's approved participants) against the rule: one provider call per criterion.

    ``attended``: the attendance value is above zero when an attendance provider is registered; otherwise
    everyone is taken to have attended (no data says otherwise)."""
    criteria = active_criteria(rule)
    values = {c.name: _PROVIDERS[c.name](event) for c in criteria}
    attendance_name = next((n for n in (ATTENDANCE_SESSIONS, ATTENDANCE_JP) if n in _PROVIDERS), None)
    if attendance_name is not None and attendance_name not in values:
        values[attendance_name] = _PROVIDERS[attendance_name](event)
    outcomes = []
    for user in users:
        results = []
        for c in criteria:
            value = values[c.name].get(user.id)
            results.append(CriterionResult(c, value, c.met(value)))
        attended = True
        if attendance_name is not None:
            attended = float(values[attendance_name].get(user.id) or 0) > 0
        outcomes.append(Outcome(user=user, results=results, override=overrides.get(user.id), attended=attended))
    return outcomes
