"""The satisfaction index IKM (Indeks Kepuasan Masyarakat) of PermenPANRB 14/2017.

For each item (unsur) the mean score over its respondents is the NRR (nilai rata-rata). Every item weighs
exactly 1/n for n items (we do NOT round 1/9 to 0.111 as some published reports do), so
IKM = sum(NRR_i * 1/n) * 25, on a 25-100 scale, rounded to two decimals, then banded:
25.00-64.99 D (tidak baik), 65.00-76.60 C (kurang baik), 76.61-88.30 B (baik), 88.31-100 A (sangat baik).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

BAND_LABELS = {"A": _l("Sangat baik"), "B": _l("Baik"), "C": _l("Kurang baik"), "D": _l("Tidak baik")}


def band(ikm: float) -> str:
    if ikm < 65.0:
        return "D"
    if ikm <= 76.60:
        return "C"
    if ikm <= 88.30:
        return "B"
    return "A"


@dataclass
class IkmResult:
    nrr: list[float | None]  # per item, in item order; None for an item nobody rated
    ikm: float | None
    band: str | None
    respondents: int

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS[self.band]) if self.band else ""


def compute_ikm(item_values: list[list[int]], respondents: int = 0) -> IkmResult:
    """``item_values``: for each item, the list of ratings (1-4) it received."""
    nrr = [sum(values) / len(values) if values else None for values in item_values]
    rated = [v for v in nrr if v is not None]
    if not item_values or len(rated) != len(nrr):
        return IkmResult(nrr, None, None, respondents)
    n = len(nrr)
    ikm = round(sum(v * (1.0 / n) for v in nrr) * 25, 2)
    return IkmResult(nrr, ikm, band(ikm), respondents)
