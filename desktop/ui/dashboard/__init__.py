"""The agreement dashboard: pairwise heatmaps, overall coefficients, per-label bars and tables."""

from desktop.ui.dashboard.dashboard import AgreementDashboard

__all__ = ["AgreementDashboard"]
