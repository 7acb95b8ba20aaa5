"""gptls' own log lines, forwarded to the client's log (window/logMessage)."""

from __future__ import annotations

import logging
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

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("gptls"):
            return
        try:
            kind = self.LEVELS.get(record.levelno, lsp.MessageType.Log)
            self.server.window_log_message(lsp.LogMessageParams(type=kind, message=self.format(record)))
        except Exception:  # the log must never take the server down
            self.handleError(record)
