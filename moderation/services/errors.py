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


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
