"""Administration: user accounts and API tokens."""
