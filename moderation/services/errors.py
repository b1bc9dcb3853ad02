"""Errors a service raises; the web layer turns each into a status code and a message."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal a user can understand; `field` names the form field it concerns."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ServiceError):
    status = 422


class NotFound(ServiceError):
    status = 404

    # What every 404 page says, whether the thing is missing or only not the reader's:
    # an outsider must not tell one from the other.
    MESSAGE = "This page does not exist, or you do not have access to it."

    def __init__(self, message: str = MESSAGE, field: str | None = None) -> None:
        super().__init__(message, field)


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
