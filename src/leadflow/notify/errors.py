"""How a send fails: the one exception every sender raises."""

from __future__ import annotations


class DeliveryFailed(Exception):
    """A send that did not reach its recipient; `permanent` when retrying cannot help (the
    receiver refused the request itself), otherwise it is worth trying again later."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
