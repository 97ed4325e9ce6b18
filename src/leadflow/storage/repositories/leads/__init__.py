"""Leads and who they belong to: the leads table (insert, look-ups), the leads list, contacts and
their identities, and the list's saved views.
"""
