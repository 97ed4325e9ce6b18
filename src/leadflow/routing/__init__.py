"""The routing engine: pure functions from a lead, a roster and a configuration to a Decision.

compiled = compile_config(configuration, version=7)   # once per configuration version
decision = route(lead, roster, compiled, now)        # per lead, no I/O
decision.to_trace(); decision.explain(); why_not(decision, "anna", compiled)
"""

from leadflow.routing.choice.baseline import weighted_random_choice
from leadflow.routing.compiled import CompiledConfig, compile_config
from leadflow.routing.decision import (
    Attempt,
    Decision,
    Exclusion,
    ExclusionReason,
    Outcome,
    StickyCheck,
    Via,
)
from leadflow.routing.engine import route
from leadflow.routing.errors import InvalidRoutingConfiguration
from leadflow.routing.explanation.explain import why_not
from leadflow.routing.replay import ReplayLead, ReplayReport, replay

__all__ = [
    "Attempt",
    "CompiledConfig",
    "Decision",
    "Exclusion",
    "ExclusionReason",
    "InvalidRoutingConfiguration",
    "Outcome",
    "ReplayLead",
    "ReplayReport",
    "StickyCheck",
    "Via",
    "compile_config",
    "replay",
    "route",
    "weighted_random_choice",
    "why_not",
]
