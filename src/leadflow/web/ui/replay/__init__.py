"""The period replay screen (managers and administrators)."""
