"""The session: initialize (what the client can do, the position encoding, the log), initialized (the settings,
the index, the status), settings and file changes, open and closed documents, shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.capabilities import ServerCapabilitiesBuilder

from gptls import __version__, logs
from gptls.lsp.client_features import client_features
from gptls.lsp.client_log import LspLogHandler
from gptls.lsp.features import FEATURES
from gptls.redaction import protect
from gptls.text.positions import ClientUnits

if TYPE_CHECKING:
    from gptls.lsp.server import GptlsServer

log = logging.getLogger(__name__)


@FEATURES.request(lsp.INITIALIZE, what="starting")
def initialize(ls: GptlsServer, params: lsp.InitializeParams) -> None:
    caps = params.capabilities
    ls.features = client_features(caps)
    ls.gptls_protocol.use_fast_documents()
    encoding = ServerCapabilitiesBuilder.choose_position_encoding(caps)
    ls.units = ClientUnits(getattr(encoding, "value", str(encoding)))
    handler = protect(LspLogHandler(ls))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("gptls").addHandler(handler)  # every gptls module's lines
    logs.CONNECTION.connected = True  # from now on the client's log has them, not stderr (a --log-file still does)
    for problem in ls.startup_problems:
        log.warning(problem)
        ls.show(f"gptls: {problem}", lsp.MessageType.Warning)
    ls.apply_options(params.initialization_options, "initializationOptions")
    log.info(
        "gptls %s: model %s at %s, position encoding %s",
        __version__,
        ls.settings.model,
        ls.settings.base_url,
        ls.units.encoding,
    )


@FEATURES.request(lsp.INITIALIZED, what="starting")
async def initialized(ls: GptlsServer, params: lsp.InitializedParams) -> None:
    if ls.features.dynamic_configuration:
        try:
            await ls.client_register_capability_async(
                lsp.RegistrationParams(
                    registrations=[
                        lsp.Registration(id=str(uuid.uuid4()), method=lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
                    ]
                )
            )
        except Exception as exc:
            log.info("client/registerCapability failed: %s", exc)
    ls.warm_up()
    if ls.demo and not ls.features.own_notices:
        from gptls.demo import NOTICE

        ls.show(NOTICE, lsp.MessageType.Info)
    if not ls.settings.api_key.reveal():
        # Said now, not only at the first action: a status bar shows the error at once.
        from gptls.openai.api_errors import MissingApiKeyError

        ls.last_error = MissingApiKeyError()  # status bars show it (VS Code: with a Set API Key button)
        log.warning("%s", ls.last_error)  # every editor: the first action says it again, as a message
    # Always, key or not: a client that showed "no API key" or "demo" before a restart learns it is resolved.
    ls.send_status()
    if ls.features.configuration:
        await ls.pull_configuration()
    ls.start_index()  # after the settings: the excludes it honours are the user's
    ls.settled().set()
    if ls.features.watched_files:
        from gptls.languages import INDEXED_SUFFIXES

        suffixes = ",".join(sorted(suffix[1:] for suffix in INDEXED_SUFFIXES))
        watcher = lsp.FileSystemWatcher(glob_pattern=f"**/*.{{{suffixes}}}")
        options = lsp.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher])
        registration = lsp.Registration(
            id=str(uuid.uuid4()), method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        try:
            await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[registration]))
        except Exception as exc:
            log.info("client/registerCapability (watched files) failed: %s", exc)
            if ls.index is not None:
                ls.index.check_mtimes = True


@FEATURES.request(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION, what="reading the settings")
async def did_change_configuration(ls: GptlsServer, params: lsp.DidChangeConfigurationParams) -> None:
    if ls.features.configuration:
        await ls.pull_configuration()
    else:
        ls.apply_options(params.settings, "workspace/didChangeConfiguration")


@FEATURES.request(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, what="updating the project index")
def did_change_watched_files(ls: GptlsServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    if ls.index is None:
        return
    for change in params.changes:
        if not change.uri.startswith("file:"):
            continue
        path = unquote(urlparse(change.uri).path)
        if change.type == lsp.FileChangeType.Deleted:
            ls.index.remove(path)
        else:
            ls.keep(asyncio.ensure_future(ls.index.refresh(path)))


@FEATURES.request(lsp.TEXT_DOCUMENT_DID_OPEN, what="opening a document")
def did_open(ls: GptlsServer, params: lsp.DidOpenTextDocumentParams) -> None:
    # pygls keeps the text; the index reads open files by path, so remember which path each one has.
    uri = params.text_document.uri
    if uri.startswith("file:"):
        ls.open_paths[unquote(urlparse(uri).path)] = uri


@FEATURES.request(lsp.TEXT_DOCUMENT_DID_CLOSE, what="closing a document")
def did_close(ls: GptlsServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls._completer is not None:  # no completer yet: nothing in flight (and none made for this)
        ls._completer.forget(uri)
    if uri.startswith("file:"):
        ls.open_paths.pop(unquote(urlparse(uri).path), None)


@FEATURES.request(lsp.SHUTDOWN, what="shutting down")
async def shutdown(ls: GptlsServer, *args: Any) -> None:
    logs.CONNECTION.connected = False  # what happens after shutdown goes to stderr again
    if ls.index_build is not None and not ls.index_build.done():
        ls.index_build.cancel()  # its worker processes are killed
        with contextlib.suppress(asyncio.CancelledError):
            await ls.index_build
    if ls._pipeline is not None:
        await ls._pipeline.aclose()
        ls._pipeline.usage.save()
