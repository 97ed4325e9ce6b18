"""Which network addresses Leadflow may send to on a configuration's behalf.

A webhook URL is written by whoever edits the configuration; left open, it lets them make the
server call its own private network (the database, a cloud metadata service at 169.254.169.254,
an admin port on 127.0.0.1). Only public addresses are allowed unless the webhook says
`allow_private_network: true`. Pure: no name is resolved here; the sender resolves and asks.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOCAL_NAMES = ("localhost", "localhost.localdomain")


def is_public(address: str) -> bool:
    """Whether `address` (an IPv4 or IPv6 literal) is on the public Internet."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def private_host(url: str) -> str | None:
    """The host of `url` when it names a private address without resolving anything: an IP
    literal that is not public, or a local name. None otherwise (the sender checks what a
    name resolves to when it sends)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return host
    try:
        return None if is_public(host) else host
    except ValueError:
        return None  # a name, not an address
