"""Period replay: a past period's leads and everything that moved them (queue releases,
first-contact SLA moves, staff changes, people's reassignments) replayed in time order under the
configurations in force, with no side effects. Pure: no I/O, every moment comes from the inputs."""

from leadflow.routing.replay.period.compare import (
    AgentLoad,
    Agreement,
    Changed,
    Comparison,
    Difference,
    SlaEffect,
    agreement,
    compare,
)
from leadflow.routing.replay.period.inputs import (
    Carried,
    InFlight,
    Move,
    PastLead,
    Period,
    Setup,
    Step,
)
from leadflow.routing.replay.period.run import Replayed, Timeline, replay_period

__all__ = [
    "AgentLoad",
    "Agreement",
    "Carried",
    "Changed",
    "Comparison",
    "Difference",
    "InFlight",
    "Move",
    "PastLead",
    "Period",
    "Replayed",
    "Setup",
    "SlaEffect",
    "Step",
    "Timeline",
    "agreement",
    "compare",
    "replay_period",
]
