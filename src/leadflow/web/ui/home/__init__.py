"""The home page: what matters to each role."""
