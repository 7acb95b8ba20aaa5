"""The commands a user runs by name: the usage report, the connection check, the last request."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from gptls.lsp.features import FEATURES
from gptls.lsp.protocol import CHECK_COMMAND, SHOW_LAST_REQUEST_COMMAND, USAGE_COMMAND

if TYPE_CHECKING:
    from gptls.lsp.server import GptlsServer

log = logging.getLogger(__name__)


@FEATURES.command(USAGE_COMMAND, what="the usage report", fallback=lambda error, _args: {"error": str(error)})
def usage(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    ls.show(ls.pipeline.usage.summary(), lsp.MessageType.Info)
    return {**ls.pipeline.usage.report(), "completionStats": ls.completer.report()}


@FEATURES.command(
    SHOW_LAST_REQUEST_COMMAND, what="showing the last request", fallback=lambda error, _args: {"error": str(error)}
)
def show_last_request(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    """The last prompt gptls built, with the files it quotes: in the result (the VS Code extension opens it in
    an editor) and in the log, for editors that only show messages."""
    last = ls.pipeline.last_request
    if last is None:
        ls.show("gptls: no request was made yet.", lsp.MessageType.Info)
        return {"text": None}
    text = last.render()
    log.info("%s", text)
    ls.show(
        f"gptls: the last request ({last.action}) is in the gptls log ({len(last.files)} other files quoted).",
        lsp.MessageType.Info,
    )
    return {"text": text, "action": last.action, "files": last.files, "input": last.input}


@FEATURES.command(
    CHECK_COMMAND, what="the connection check", fallback=lambda error, _args: {"ok": False, "error": str(error)}
)
async def check(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    from gptls.openai.wire import CONNECTION_CHECK

    await ls.until_settled()  # asked during start-up: answer with the user's settings and the index they start
    pipeline = ls.pipeline
    pipeline.configure(ls.settings)
    status = await pipeline.router.status(ls.settings, fresh=True)
    result = await pipeline.router.create(CONNECTION_CHECK, ls.settings)
    info = result.info
    lifetime = status.describe()
    ls.show(
        f"gptls: {result.model or ls.settings.model} answered in {info.latency_ms:.0f} ms "
        f"(request id {info.request_id or 'n/a'}). {ls.settings.model}: {lifetime}. {ls.index_text()}.",
        lsp.MessageType.Info,
    )
    return {
        "ok": True,
        "model": result.model,
        "latencyMs": round(info.latency_ms),
        "requestId": info.request_id,
        "shutdownDate": status.shutdown_date.isoformat() if status.shutdown_date else None,
        "daysLeft": status.days_left,
        "successor": status.switched_to or status.successor,
        "successorUsable": status.successor_usable,
        "lifetime": lifetime,
        "index": ls.index_state(),
    }
