"""Validation failures of contact data, as values the web layer maps to one 422."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class InvalidField(ValueError):
    """One field of a lead that cannot be normalised; `message` says why, for the API caller."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidLead(ValueError):
    """Every bad field of one lead, so the caller learns them all in a single answer."""

    def __init__(self, errors: Iterable[InvalidField]) -> None:
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("InvalidLead needs at least one InvalidField")
        super().__init__("; ".join(str(error) for error in self.errors))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(error.field for error in self.errors)


class FieldErrors:
    """Collects InvalidField from several normalisations, then raises them together.

    errors = FieldErrors()
    phone = errors.collect(normalise_phone, raw_phone, country)
    email = errors.collect(normalise_email, raw_email)
    errors.raise_if_any()  # InvalidLead naming both fields if both are bad
    """

    def __init__(self) -> None:
        self._errors: list[InvalidField] = []

    def collect(self, normalise: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        """The result of `normalise`, or None after recording its InvalidField."""
        try:
            return normalise(*args, **kwargs)
        except InvalidField as error:
            self._errors.append(error)
            return None

    def raise_if_any(self) -> None:
        if self._errors:
            raise InvalidLead(self._errors)
