"""Gettext catalogs of the interface (English, Turkish); see README.md here."""
