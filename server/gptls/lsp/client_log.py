"""gptls' own log lines, forwarded to the client's log (window/logMessage)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

if TYPE_CHECKING:
    from gptls.lsp.server import GptlsServer


class LspLogHandler(logging.Handler):
    """Forwards gptls' own log lines to the client's log (window/logMessage)."""

    LEVELS = {
        logging.ERROR: lsp.MessageType.Error,
        logging.WARNING: lsp.MessageType.Warning,
        logging.INFO: lsp.MessageType.Info,
        logging.DEBUG: lsp.MessageType.Log,
    }

    def __init__(self, server: GptlsServer) -> None:
        super().__init__(logging.INFO)
        self.server = server
        self._sending = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("gptls") or getattr(self._sending, "now", False):
            # A send that fails (the client gone, its pipe closed) is reported by pygls to the server, which
            # logs it, which would send again: a recursion to Python's limit, and a traceback per log line.
            return
        self._sending.now = True
        try:
            kind = self.LEVELS.get(record.levelno, lsp.MessageType.Log)
            self.server.window_log_message(lsp.LogMessageParams(type=kind, message=self.format(record)))
        except Exception:  # the log must never take the server down
            self.handleError(record)
        finally:
            self._sending.now = False
