"""Logging for a process whose stdout belongs to the LSP: stderr (and an optional file), always redacted."""

from __future__ import annotations

import logging
import sys

from gptls.redaction import protect

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup(level: str = "INFO", log_file: str | None = None) -> None:
    """Send gptls' logs to stderr (never stdout: that is the LSP channel) through the redaction filter."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.addFilter(_not_while_connected)
    handlers: list[logging.Handler] = [stderr]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(protect(handler))
    root.setLevel(logging.WARNING)
    logging.getLogger("gptls").setLevel(level.upper())  # the whole package
    # httpx logs every request URL at INFO; ours is the line that matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class _Connection:
    """Whether an LSP client receives the log (window/logMessage): then stderr stays quiet, so an editor that
    shows both (VS Code) or logs stderr as errors (Neovim) does not show each line twice."""

    connected = False


CONNECTION = _Connection()


def _not_while_connected(record: logging.LogRecord) -> bool:
    return not (CONNECTION.connected and record.name.startswith("gptls"))
