"""Errors the routing engine raises; everything else it reports as a Decision."""


class InvalidRoutingConfiguration(ValueError):
    """A configuration that validates as a document but cannot be compiled into rules.

    For example a condition on a field no lead has, or `time_of_day` bounds that are not "HH:MM".
    """
