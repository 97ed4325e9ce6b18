"""Leads in: submissions read, normalised, deduplicated and routed; batches, dead letters and their
replay, CSV imports."""
