"""Leadflow: lead routing and sales operations."""

__version__ = "0.1.0"
