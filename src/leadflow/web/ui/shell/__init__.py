"""The frame every page shares: routers, the signed-in page context, templates, translations,
formatting, navigation, security (sessions, CSRF, messages), transport and error pages."""
