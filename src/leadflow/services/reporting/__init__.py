"""Figures for managers: dashboards and their roll-ups, the admin overview, readiness."""
