"""Recaps (rekap): Excel workbooks per event, per agency and per year, and the agency portal. No models."""
