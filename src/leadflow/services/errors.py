"""Errors a user can fix by changing their input: shells print them without a stack trace."""

from __future__ import annotations

from leadflow.connectors.csv_import import MappingError
from leadflow.identity import InvalidLead
from leadflow.services.access.tokens import TokenExists
from leadflow.services.assignment.decisions import AgentCannotTakeLeads, UnknownAgent, UnknownLead
from leadflow.services.channels.pipeline.secrets import UnreadableSecrets
from leadflow.services.channels.setup.connectors import ConnectorError
from leadflow.services.configuration.versions import (
    ConfigurationError,
    NoConfiguration,
    UnknownVersion,
)
from leadflow.services.intake.deadletters import AlreadyReplayed, UnknownDeadLetter
from leadflow.services.intake.payloads import UnreadablePayload
from leadflow.services.intake.web_forms import UnknownForm

USER_ERRORS: tuple[type[Exception], ...] = (
    AgentCannotTakeLeads,
    AlreadyReplayed,
    UnknownAgent,
    UnknownLead,
    ConfigurationError,
    ConnectorError,
    InvalidLead,
    MappingError,
    NoConfiguration,
    TokenExists,
    UnknownDeadLetter,
    UnknownForm,
    UnknownVersion,
    UnreadablePayload,
    UnreadableSecrets,
)
