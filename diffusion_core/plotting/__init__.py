"""Figures built from core results. Plotting reads results; it does no maths."""
