"""The organisation's configuration document: teams, agents, schedules, pipelines, pools, rules.

Everything a person edits lives here and is versioned as a whole (configuration as code): the
YAML file that `leadflow config apply` reads validates into `Configuration`. Everything the system
does over time (assignments, counters, queues) lives in the database, not here.

One module per part of the document (base, schedules, people, pipelines, rules, notifications,
document); importers use this package, which names every part.
"""

from leadflow.domain.configuration.base import Frozen, Key, TimeZoneName
from leadflow.domain.configuration.document import Configuration, Organisation
from leadflow.domain.configuration.notifications import TOPICS, Notifications, Webhook
from leadflow.domain.configuration.people import (
    Agent,
    AgentKind,
    AgentStatus,
    Caps,
    LeavePolicy,
    Team,
    Tier,
)
from leadflow.domain.configuration.pipelines import (
    NoAgentAction,
    NoAgentPolicy,
    OwnerAway,
    Pipeline,
    Pool,
    PoolMember,
    RampUp,
    RepeatPolicy,
    Sla,
    Strategy,
    TierBand,
)
from leadflow.domain.configuration.rules import (
    OPERATORS,
    All,
    AnyOf,
    Condition,
    Equals,
    Exists,
    In,
    Leaf,
    NotIn,
    Pattern,
    Prefix,
    Range,
    Rule,
    Scalar,
)
from leadflow.domain.configuration.schedules import (
    WEEKDAYS,
    CompanyDay,
    HolidayCalendar,
    Interval,
    Leave,
    LeaveType,
    Schedule,
    ShiftOverride,
    Weekday,
    WeeklyPattern,
)

__all__ = [
    "OPERATORS",
    "TOPICS",
    "WEEKDAYS",
    "Agent",
    "AgentKind",
    "AgentStatus",
    "All",
    "AnyOf",
    "Caps",
    "CompanyDay",
    "Condition",
    "Configuration",
    "Equals",
    "Exists",
    "Frozen",
    "HolidayCalendar",
    "In",
    "Interval",
    "Key",
    "Leaf",
    "Leave",
    "LeavePolicy",
    "LeaveType",
    "NoAgentAction",
    "NoAgentPolicy",
    "NotIn",
    "Notifications",
    "Organisation",
    "OwnerAway",
    "Pattern",
    "Pipeline",
    "Pool",
    "PoolMember",
    "Prefix",
    "RampUp",
    "Range",
    "RepeatPolicy",
    "Rule",
    "Scalar",
    "Schedule",
    "ShiftOverride",
    "Sla",
    "Strategy",
    "Team",
    "Tier",
    "TierBand",
    "TimeZoneName",
    "Webhook",
    "Weekday",
    "WeeklyPattern",
]
