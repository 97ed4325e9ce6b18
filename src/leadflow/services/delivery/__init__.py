"""Notifications out: the outbox delivered by e-mail and webhook, and live events to the pages."""
