"""The base of every error gptls shows a user: a message that says what to do, and details for the log."""

from __future__ import annotations

from gptls.redaction import scrub


class GptlsError(Exception):
    """Base of every error gptls shows a user. ``str(err)`` is the actionable message."""

    retryable = False
    # What kind of error it is, for clients (the status's ``errorKind``, gptls/lsp/protocol.py): an editor
    # offers "Set API Key" for "no-api-key" without reading the message.
    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        param: str | None = None,
        api_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = scrub(message)
        self.status = status
        self.request_id = request_id
        self.code = code
        self.param = param
        self.api_message = scrub(api_message) if api_message else None
        self.retry_after = retry_after
        super().__init__(self.message)

    def details(self) -> str:
        """A longer line for logs: status, code, param, request id and the API's own words."""
        parts = [type(self).__name__]
        for name in ("status", "code", "param", "request_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value}")
        if self.api_message:
            parts.append(f"api_message={self.api_message!r}")
        return " ".join(parts)


__all__ = ["GptlsError"]
