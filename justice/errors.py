"""Domain errors raised by services and shown to users as they are (translated)."""

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A rule of the domain was broken; ``message`` is user-facing and translated."""

    def __init__(self, message: str | Promise, *, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
