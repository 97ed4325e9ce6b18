"""Errors a user can fix by changing their input: shells print them without a stack trace."""

from __future__ import annotations

from leadflow.connectors.csv_import import MappingError
from leadflow.identity import InvalidLead
from leadflow.services.configuration import ConfigurationError, NoConfiguration, UnknownVersion
from leadflow.services.deadletters import AlreadyReplayed, UnknownDeadLetter
from leadflow.services.decisions import AgentCannotTakeLeads, UnknownAgent, UnknownLead
from leadflow.services.payloads import UnreadablePayload
from leadflow.services.tokens import TokenExists

USER_ERRORS: tuple[type[Exception], ...] = (
    AgentCannotTakeLeads,
    AlreadyReplayed,
    UnknownAgent,
    UnknownLead,
    ConfigurationError,
    InvalidLead,
    MappingError,
    NoConfiguration,
    TokenExists,
    UnknownDeadLetter,
    UnknownVersion,
    UnreadablePayload,
)
