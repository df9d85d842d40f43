"""Inter-annotator agreement: span P/R/F1, Cohen's and Fleiss' κ, Krippendorff's α and α_U, and
the Qt-free helpers the review window uses to adjudicate into gold. No Qt here."""

from desktop.agreement.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha_nominal,
    scott_pi,
)
from desktop.agreement.report import AgreementReport, compute_agreement, format_text
from desktop.agreement.review import Consensus, consensus, disagreements, seed_gold
from desktop.agreement.spans import ConfusedSpans
from desktop.agreement.unitizing import UnitizingResult, unitizing_alpha

__all__ = [
    "AgreementReport",
    "ConfusedSpans",
    "Consensus",
    "UnitizingResult",
    "cohen_kappa",
    "compute_agreement",
    "consensus",
    "disagreements",
    "fleiss_kappa",
    "format_text",
    "krippendorff_alpha_nominal",
    "scott_pi",
    "seed_gold",
    "unitizing_alpha",
]
