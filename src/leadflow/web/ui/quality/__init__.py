"""The data-quality view: leads missing fields their stage requires."""
