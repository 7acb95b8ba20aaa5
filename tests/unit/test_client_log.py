"""The client's log when the client is gone: a failed send is logged once, not forwarded again and again."""

from __future__ import annotations

import logging
from typing import Any, cast

from gptls.lsp.client_log import LspLogHandler


class ClosedPipe:
    """What pygls does when stdout is closed: the send fails, and the failure goes to the server's
    report_server_error, which logs a warning (gptls.lsp.server)."""

    def __init__(self) -> None:
        self.sends = 0

    def window_log_message(self, params: Any) -> None:
        self.sends += 1
        logging.getLogger("gptls.lsp.server").warning("LSP protocol error (send): I/O operation on closed file")


def test_a_send_that_fails_and_logs_its_failure_does_not_recurse() -> None:
    server = ClosedPipe()
    handler = LspLogHandler(cast(Any, server))
    logger = logging.getLogger("gptls")
    logger.addHandler(handler)
    raised: list[BaseException] = []
    handler.handleError = lambda record: raised.append(RuntimeError(record.getMessage()))  # type: ignore[method-assign]
    try:
        logging.getLogger("gptls.index").warning("a line after the client went away")
        logging.getLogger("gptls.index").warning("and another")
    finally:
        logger.removeHandler(handler)
    assert server.sends == 2  # one attempt per line; the failure's own warning is not sent again
    assert raised == []  # no RecursionError reached the handler
