"""Logging, configured once when a process starts: JSON lines in production
(`LEADFLOW_LOG_JSON=true`), one concise line per event in development.

Unconfigured, structlog renders exceptions with Rich, local variables included: a bad lead's
traceback took 15-28 s of the event loop to render and stalled every request of its process.
Here an exception is a plain traceback (no locals), and events below `warning` from libraries
stay quiet."""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(*, json: bool, level: int = logging.INFO) -> None:
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.typing.Processor
    if json:
        shared += [structlog.processors.format_exc_info]
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Standard error as it is when an event is logged (tests capture it per test); events
        # are rare enough (errors, warnings) that building the logger each time costs nothing.
        logger_factory=_to_stderr,
        cache_logger_on_first_use=False,
    )


def _to_stderr(*_: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(sys.stderr)
