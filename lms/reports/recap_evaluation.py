"""The Evaluasi sheet of the event recap: per survey (the event itself, then each speaker) and per item (unsur) the
number of raters, the mean score NRR, its weight 1/n, the weighted NRR and its 25-100 conversion, then the survey's
IKM and band (lms.assessments.ikm, PermenPANRB 14/2017). Three queries for all the surveys of the event."""

from dataclasses import dataclass

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.assessments.ikm import BAND_LABELS, IkmResult, band, compute_ikm
from lms.assessments.models import Survey, SurveyRating, SurveyResponse
from lms.extensions import db
from lms.reports.event_data import EventRecapData
from lms.spreadsheets import Formatted, add_table_sheet

SCORE_FORMAT = "0.00"
WEIGHT_FORMAT = "0.0000"


@dataclass(frozen=True)
class ItemFigures:
    position: int
    text: str
    raters: int
    nrr: float | None

    def weighted(self, n: int) -> float | None:
        return None if self.nrr is None else self.nrr / n


@dataclass(frozen=True)
class SurveyFigures:
    survey: Survey
    items: list[ItemFigures]
    result: IkmResult

    @property
    def target(self) -> str:
        return self.survey.speaker or _("Penyelenggaraan")


def band_text(code: str | None) -> str:
    return f"{code} ({BAND_LABELS[code]})" if code else ""


def survey_figures(event) -> list[SurveyFigures]:
    """Every survey of ``event``, the event's own first, then by speaker; items in their order."""
    surveys = list(
        db.session.execute(
            select(Survey)
            .where(Survey.event_id == event.id)
            .options(selectinload(Survey.items))
            .order_by(Survey.speaker.is_not(None), Survey.speaker, Survey.id)
        ).scalars()
    )
    if not surveys:
        return []
    sums = {
        item_id: (int(total), int(n))
        for item_id, total, n in db.session.execute(
            select(SurveyRating.item_id, func.sum(SurveyRating.value), func.count(SurveyRating.value))
            .join(SurveyResponse, SurveyResponse.id == SurveyRating.response_id)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(Survey.event_id == event.id)
            .group_by(SurveyRating.item_id)
        )
    }
    respondents = dict(
        db.session.execute(
            select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(Survey.event_id == event.id)
            .group_by(SurveyResponse.survey_id)
        ).all()
    )
    figures = []
    for survey in surveys:
        items = []
        for number, item in enumerate(survey.items, start=1):
            total, n = sums.get(item.id, (0, 0))
            items.append(ItemFigures(number, item.text, n, total / n if n else None))
        # compute_ikm over one mean per item gives exactly the NRR, weighting and rounding of survey_ikm.
        means = [[i.nrr] if i.nrr is not None else [] for i in items]
        figures.append(SurveyFigures(survey, items, compute_ikm(means, int(respondents.get(survey.id, 0)))))
    return figures


def evaluation_figures(data: EventRecapData) -> list[SurveyFigures]:
    """Computed once per workbook (kept in ``data.extra``): Ringkasan shows the IKM, Evaluasi the details."""
    if "surveys" not in data.extra:
        data.extra["surveys"] = survey_figures(data.event)
    return data.extra["surveys"]


def _number(value, fmt: str = SCORE_FORMAT):
    return None if value is None else Formatted(value, fmt)


def evaluation_sheet(wb: Workbook, data: EventRecapData, title_rows) -> None:
    headers = [
        _("Evaluasi"),
        _("Sasaran"),
        _("No."),
        _("Unsur"),
        _("Jumlah penilai"),
        _("NRR"),
        _("Bobot"),
        _("NRR tertimbang"),
        _("Nilai konversi (x25)"),
        _("Mutu"),
    ]

    def rows():
        for figures in evaluation_figures(data):
            n = len(figures.items)
            first = [figures.survey.title, figures.target]
            for item in figures.items:
                converted = None if item.nrr is None else item.nrr * 25
                yield [
                    *first,
                    item.position,
                    item.text,
                    item.raters,
                    _number(item.nrr),
                    _number(1 / n, WEIGHT_FORMAT),
                    _number(item.weighted(n), WEIGHT_FORMAT),
                    _number(converted),
                    band_text(band(converted)) if converted is not None else "",
                ]
            result = figures.result
            weighted = None if result.ikm is None else sum(i.weighted(n) for i in figures.items)
            yield [
                *first,
                None,
                _("IKM (jumlah NRR tertimbang x 25)"),
                result.respondents,
                None,
                _number(1.0 if n else None, WEIGHT_FORMAT),
                _number(weighted, WEIGHT_FORMAT),
                _number(result.ikm),
                band_text(result.band),
            ]

    note = _(
        "NRR: rata-rata nilai unsur (1-4). Bobot tiap unsur 1/n, tidak dibulatkan. IKM = jumlah NRR tertimbang x 25. "
        "Mutu: A 88,31-100; B 76,61-88,30; C 65,00-76,60; D 25,00-64,99 (PermenPANRB 14/2017)."
    )
    add_table_sheet(
        wb,
        _("Evaluasi"),
        headers,
        rows(),
        widths=[30, 26, 6, 44, 10, 9, 9, 11, 12, 20],
        title_rows=[*title_rows, note],
    )
