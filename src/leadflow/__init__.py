"""Leadflow: lead routing and sales operations."""
