"""The domain: plain functions that own their transactions and know nothing of requests."""


class ServiceError(Exception):
    """A domain rule said no; `code` and `status` tell the API how to report it."""

    code = "invalid"
    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class Conflict(ServiceError):
    code = "conflict"
    status = 409
