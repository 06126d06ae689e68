"""Domain errors. Services raise them; pages and the command line turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: the message is meant for the user (already translated by the caller)."""


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    pass


class InvalidInput(DomainError):
    """One message per field, so a form can show each one at its own input."""

    def __init__(self, field_errors: dict[str, str]):
        self.field_errors = dict(field_errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.field_errors.items()))


class Conflict(DomainError):
    """Someone else changed the record first (optimistic lock)."""

    def __init__(self, message: str, *, decided_by: str = "", status: str = ""):
        super().__init__(message)
        self.decided_by = decided_by
        self.status = status
