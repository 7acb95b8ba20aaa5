"""pygls' protocol, mended where it fails editors, and the names gptls adds to LSP."""

from __future__ import annotations

import inspect
import logging
from typing import Any, TypedDict

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from gptls.text import shown

log = logging.getLogger(__name__)

RUN_COMMAND = "gptls.runAction"
USAGE_COMMAND = "gptls.usage"
CHECK_COMMAND = "gptls.check"
SHOW_LAST_REQUEST_COMMAND = "gptls.lastRequest"
OPEN_FILE_COMMAND = "gptls.openWritten"  # runs after Write tests' edit: shows the test file it wrote
STATUS_NOTIFICATION = "gptls/status"
# The failureReason the VS Code extension answers workspace/applyEdit with when the user discards a review:
# the user's choice, not a failure to report.
REVIEW_DISCARDED = "you discarded it in the review"
# The status's errorKind when no API key is set: the extension offers Set API Key / Try the Demo for it.
NO_API_KEY = "no-api-key"
# A reviewed edit's change annotation describes it as this prefix, then the model's note (made in text/shown.py).
REVIEW_NOTE_PREFIX = shown.REVIEW_NOTE_PREFIX
# Ask about the code ({"textDocument": {"uri"}, "range", "question"}, or {"conversation", "question"} for a
# follow-up) and refine the last proposed edit ({"textDocument": {"uri"}, "instruction"}).
ASK_COMMAND = "gptls.ask"
REFINE_COMMAND = "gptls.refine"
# A piece of an answer as it streams in ({"conversation", "delta"}), to clients that declare
# experimental.gptls.answerStream (the VS Code extension's answer view).
ANSWER_NOTIFICATION = "gptls/answer"
# The action a client runs with an instruction the user typed (gptls.runAction with RunActionArguments).
INSTRUCT_ACTION = "instruct"


class RunActionArguments(TypedDict, total=False):
    """The argument of gptls.runAction (a code action's data, or a client's own request: Edit with
    Instruction). ``diagnostics`` and ``instruction`` are the action's inputs (actions/base.py ``Inputs``)."""

    action: str
    uri: str
    range: dict[str, Any]
    version: int | None
    diagnostics: list[dict[str, Any]]
    instruction: str


_ANSWERED = object()  # a message already dealt with while decoding it


class GptlsProtocol(LanguageServerProtocol):
    """pygls' protocol with ``workspace/executeCommand`` run as one task.

    pygls runs a command handler as a second task behind the request, so ``$/cancelRequest`` would cancel
    the request but leave the model call running. Awaiting the handler here makes the request's own task
    the one that is cancelled, and cancellation reaches the HTTP call.
    """

    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls drops a request whose params do not decode (a negative or too large position, a missing
        field) without answering, so the editor waits forever. Answer it with InvalidParams instead; a bad
        notification has no one to answer and is only logged."""
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            method = data.get("method", "?") if isinstance(data, dict) else "?"
            if isinstance(data, dict) and "id" in data and "method" in data:
                invalid = JsonRpcInvalidParams(f"invalid params for {method}: {error.__cause__ or error}")
                self._send_response(data["id"], error=invalid.to_response_error())
            log.warning("ignored a malformed %s message from the client", method)
            return _ANSWERED

    def use_fast_documents(self) -> None:
        """Replace the Workspace pygls made at initialize (before the user's handler runs, before any document
        is open) by one that keeps FastTextDocuments (lsp/documents.py)."""
        from gptls.lsp.documents import FastWorkspace

        if self._workspace is not None and not isinstance(self._workspace, FastWorkspace):
            self._workspace = FastWorkspace.like(self._workspace)

    def handle_message(self, message: Any) -> None:
        if message is _ANSWERED:
            return
        super().handle_message(message)

    @lsp_method(lsp.WORKSPACE_EXECUTE_COMMAND)
    async def lsp_workspace__execute_command(self, params: lsp.ExecuteCommandParams) -> Any:  # type: ignore[override]
        handler = self.fm.commands.get(params.command)
        if handler is None:
            raise JsonRpcInvalidParams.of(ValueError(f"Command name {params.command!r} is not defined"))
        result = handler(*(params.arguments or []))
        return await result if inspect.isawaitable(result) else result
