"""Every table of Leadflow. The configuration document is the source of truth for teams, agents and
pipelines; their tables are materialised from the active version so that leads, assignments and
dashboards can join and reference them."""

from leadflow.storage.tables.access import ApiToken, SignInThrottle, User, WebForm, WebSession
from leadflow.storage.tables.base import Base
from leadflow.storage.tables.channels import Connector, InboundEvent, MessageMedia
from leadflow.storage.tables.configuration import (
    Agent,
    AgentDailyCount,
    ConfigVersion,
    Pipeline,
    PoolMembership,
    PoolState,
    Stage,
    Team,
)
from leadflow.storage.tables.leads import Activity, Assignment, Contact, ContactIdentity, Lead
from leadflow.storage.tables.platform import AuditEntry, DeadLetter, Delivery, OutboxMessage
from leadflow.storage.tables.saved_views import SavedLeadView
from leadflow.storage.tables.workflow import AutomationRun, Task, WorkflowCursor

__all__ = [
    "Activity",
    "Agent",
    "AgentDailyCount",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "AutomationRun",
    "Base",
    "ConfigVersion",
    "Connector",
    "Contact",
    "ContactIdentity",
    "DeadLetter",
    "Delivery",
    "InboundEvent",
    "Lead",
    "MessageMedia",
    "OutboxMessage",
    "Pipeline",
    "PoolMembership",
    "PoolState",
    "SavedLeadView",
    "SignInThrottle",
    "Stage",
    "Task",
    "Team",
    "User",
    "WebForm",
    "WebSession",
    "WorkflowCursor",
]
