"""What is never shown: the API key and anything shaped like a key or a password assignment, scrubbed from every
log line, error text and report."""

from __future__ import annotations

import logging
import re
import threading

from gptls.text.shown import plain

MASK = "[REDACTED]"


_KEY_SHAPES = re.compile(
    r"(?:\bsk-[A-Za-z0-9_\-\*]{8,}"  # OpenAI keys (sk-..., sk-proj-...), also half-masked echoes
    r"|(?<=Bearer )[^\s\"',]+"  # anything after Bearer
    r"|\bsess-[A-Za-z0-9]{16,}"
    r"|\b(?:api[_-]?key|secret|password|token)\b(\s*[=:]\s*)[\"']?[^\s\"',]{8,})",
    re.IGNORECASE,
)


_lock = threading.Lock()


_known: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a secret so it is masked wherever it shows up."""
    if len(value) >= 6:
        with _lock:
            _known.add(value)


def scrub(text: str) -> str:
    """Return ``text`` with known secrets and key-shaped strings masked."""
    if not text:
        return text
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    if match.group(1) is not None:  # key = value: keep the name, hide the value
        whole = match.group(0)
        return whole[: match.end(1) - match.start(0)] + MASK
    return MASK


class RedactionFilter(logging.Filter):
    """Formats the record once, scrubs message and traceback of secrets and control characters (a log line
    may quote the model, and logs are read in terminals), and freezes the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = plain(scrub(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = plain(scrub(record.exc_text))
        record.exc_info = None
        if record.stack_info:
            record.stack_info = plain(scrub(record.stack_info))
        return True


def protect(handler: logging.Handler) -> logging.Handler:
    """Attach the redaction filter to a handler (idempotent) and return it."""
    if not any(isinstance(f, RedactionFilter) for f in handler.filters):
        handler.addFilter(RedactionFilter())
    return handler


def protect_root() -> None:
    """Every handler on the root logger gets the filter; records from all loggers pass through them."""
    for handler in logging.getLogger().handlers:
        protect(handler)
