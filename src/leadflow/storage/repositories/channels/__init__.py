"""Channels in: connectors and their inbound events, conversations on a messaging channel and the
files sent in them.
"""
