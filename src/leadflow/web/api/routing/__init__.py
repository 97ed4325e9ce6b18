"""Routing over the API: decisions, "why not me?", reassignment and simulation, period replays,
the configuration as code and its agents."""
