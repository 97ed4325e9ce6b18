"""Replay: past leads through a configuration, with no side effects, to see what it would do.

- `replay` (leads.py): a list of leads in arrival order, with the loads and pool states the
  live system would have kept (roster.py), tallied into a `ReplayReport` (report.py);
- `period/`: a whole past period with everything that moved its leads (queue releases, SLA
  moves, staff changes, reassignments), compared with what happened.
"""

from leadflow.routing.replay.leads import ReplayLead, replay
from leadflow.routing.replay.report import ReplayReport

__all__ = ["ReplayLead", "ReplayReport", "replay"]
