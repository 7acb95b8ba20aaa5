"""The editor face: the pygls server, its registrations and its state. Each request is registered straight to
its handler in ``lsp/handlers.py``, which hands the work to the pipeline and turns the outcome into LSP."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.lsp.server import LanguageServer

from gptls import __version__, logs
from gptls.config import SETTING_NAMES, Settings, camel
from gptls.config_sources import ignored_setting_message, user_settings
from gptls.lsp.documents import speed_up
from gptls.lsp.log import LspLogHandler
from gptls.lsp.protocol import (
    CHECK_COMMAND,
    OPEN_FILE_COMMAND,
    RUN_COMMAND,
    SHOW_LAST_REQUEST_COMMAND,
    STATUS_NOTIFICATION,
    USAGE_COMMAND,
    GptlsProtocol,
)
from gptls.privacy import protect, register_secret
from gptls.text.positions import ClientUnits
from gptls.text.shown import message_text

if TYPE_CHECKING:
    from gptls.actions import TextResult
    from gptls.completion import Completer
    from gptls.consent import ConsentStore
    from gptls.index import WorkspaceIndex
    from gptls.pipeline import Pipeline

# Only what answering `initialize` needs is imported here; the actions, the pipeline and the HTTP client
# are loaded by the first request that uses them (and warmed up in the background after `initialized`).

log = logging.getLogger(__name__)


@dataclass
class ClientFeatures:
    """What the client said it can do, read once at initialize."""

    resolve_edit: bool = False
    document_changes: bool = False
    work_done_progress: bool = False
    configuration: bool = False
    dynamic_configuration: bool = False
    llm_tag: bool = False  # LSP 3.18 codeAction.tagSupport with LLMGenerated
    change_annotations: bool = False  # it honours change annotations: needsConfirmation opens a preview
    create_files: bool = False  # workspaceEdit.resourceOperations includes "create"
    watched_files: bool = False  # workspace/didChangeWatchedFiles can be registered dynamically
    show_document: bool = False  # window/showDocument (LSP 3.16)
    # gptls' VS Code extension (experimental.gptls.reviewEdits): it shows an edit that needs confirmation as a
    # diff with Apply/Discard. VS Code's own refactor preview starts such a change unticked, so Apply did nothing.
    review_edits: bool = False
    # gptls' VS Code extension (experimental.gptls.notices) shows the demo notice itself, from gptls/status, and
    # closes it when the demo stops: a window/showMessage would stay on screen after.
    own_notices: bool = False


class GptlsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("gptls", __version__, protocol_cls=GptlsProtocol)
        # The user's own settings (environment, user config file): the only source of the protected ones.
        loaded = user_settings()
        self.user_settings: Settings = loaded.settings
        self.settings = loaded.settings
        self.startup_problems = [*loaded.errors, *(f"unknown gptls setting {key}" for key in loaded.unknown)]
        self._ignored_warned: set[str] = set()
        self._problems_shown: set[str] = set()  # invalid or unknown settings the user was told about
        self.features = ClientFeatures()
        self.units = ClientUnits("utf-16")
        self.last_error: str | None = None
        self._pipeline: Pipeline | None = None
        self._consent: ConsentStore | None = None
        self.index: WorkspaceIndex | None = None
        self._settled: asyncio.Event | None = None
        self.index_build: asyncio.Future[Any] | None = None
        self.open_paths: dict[str, str] = {}  # the path of each open file: document -> its URI
        self._status_pending = False
        self.active_progress: dict[lsp.ProgressToken, str] = {}  # token -> title, of calls showing progress
        self._usage_pending = False
        self._completer: Completer | None = None
        self.demo = False  # `gptls demo`: answers come from the canned stand-in (demo.py)
        self._background: set[asyncio.Future[Any]] = set()  # work nobody awaits, kept alive until done
        # The latest explanation a settings-defined "explain" action gave for a function: (uri, name) ->
        # (the function's text then, Markdown). Its hover shows it while the function is unchanged.
        self.explanations: dict[tuple[str, str], tuple[str, TextResult]] = {}

    def keep(self, work: asyncio.Future[Any]) -> asyncio.Future[Any]:
        """Keep background work alive until it is done (asyncio holds only weak references to tasks)."""
        self._background.add(work)
        work.add_done_callback(self._background.discard)
        return work

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            from gptls.pipeline import Pipeline

            self._pipeline = Pipeline(events=self)
            self._pipeline.configure(self.settings)
            self._pipeline.index = self.index
        return self._pipeline

    @property
    def completer(self) -> Completer:
        if self._completer is None:
            from gptls.completion import Completer

            self._completer = Completer(self.pipeline, on_usage=self.usage_changed)
        return self._completer

    def usage_changed(self) -> None:
        """A call was counted: status bars show today's cost, and it is saved a moment later (off the event
        loop), so the daily budget holds across restarts and editors."""
        self.send_status_soon()
        if self._usage_pending:
            return
        self._usage_pending = True

        async def save() -> None:
            await asyncio.sleep(2.0)
            self._usage_pending = False
            await asyncio.to_thread(self.pipeline.usage.save)

        self.keep(asyncio.ensure_future(save()))

    @property
    def consent(self) -> ConsentStore:
        if self._consent is None:
            from gptls.consent import ConsentStore

            self._consent = ConsentStore(self.settings.state_dir)
        return self._consent

    def warm_up(self) -> None:
        """Load what the first code action needs in a thread, while the editor is still starting up."""
        loading = asyncio.get_running_loop().run_in_executor(None, _import_handlers)
        self.keep(loading)
        loading.add_done_callback(lambda _done: self.check_model_soon())

    def start_index(self) -> None:
        """Index the workspace folders in the background (off the event loop): prompts quote definitions from
        every file once it is built, and only the file itself until then."""
        from gptls.index import IndexLimits, WorkspaceIndex

        uris = [f.uri for f in (self.workspace.folders or {}).values()] or [self.workspace.root_uri or ""]
        roots = [unquote(urlparse(uri).path) for uri in uris if uri.startswith("file:")]
        if not roots or self.settings.index_max_files == 0:
            return
        self.index = WorkspaceIndex(
            roots,
            self.settings.exclude,
            IndexLimits(max_files=self.settings.index_max_files),
            opened=self._open_text,
            check_mtimes=not self.features.watched_files,
            focus=lambda: list(self.open_paths),
        )
        if self._pipeline is not None:
            self._pipeline.index = self.index
        self.index_build = self.keep(asyncio.ensure_future(self._build_index(self.index)))

    def settled(self) -> asyncio.Event:
        """Set once the settings are pulled and the index exists: an action asked during start-up waits for it
        (briefly), so it quotes the project under the user's excludes instead of nothing."""
        if self._settled is None:
            self._settled = asyncio.Event()  # made on the loop that runs the server (3.9 binds it at creation)
        return self._settled

    async def until_settled(self, limit: float = 5.0) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.settled().wait(), limit)

    def index_state(self) -> dict[str, Any]:
        """How much of the workspace the prompts can quote, and why not more (status, the check command)."""
        index = self.index
        if index is None:
            if not self.settled().is_set():  # settings not pulled yet: the index starts after them
                return {"files": 0, "built": False, "note": "starting"}
            # Nothing is being built: "still being built" would promise files that never come.
            return {"files": 0, "built": True, "note": "no workspace folder, or indexMaxFiles is 0"}
        return {"files": len(index.files), "built": index.built, "note": index.stopped_short}

    def index_text(self) -> str:
        state = self.index_state()
        text = f"project index: {state['files']:,} files" + ("" if state["built"] else ", still being built")
        return text + (f" ({state['note']})" if state["note"] else "")

    async def _build_index(self, index: WorkspaceIndex) -> None:
        try:
            await index.build()
            from gptls.index.resolve import Resolver

            # The module map, made off the event loop now rather than inside the first prompt afterwards.
            await asyncio.to_thread(Resolver.of(index).modules)
            self.send_status()  # status bars learn how much is indexed, and why not more
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the index is a help: without it prompts quote the file itself
            log.warning(
                "indexing the workspace failed (%s: %s); prompts quote only the file itself", type(exc).__name__, exc
            )

    def _open_text(self, path: str) -> str | None:
        """The editor's text of the file at ``path``, when it is open (asked many times per prompt: a lookup)."""
        uri = self.open_paths.get(path)
        document = self.workspace.text_documents.get(uri) if uri is not None else None
        return None if document is None else str(document.source)

    def check_model_soon(self) -> None:
        """Look up the configured model's shutdown date in the background and warn (at most once a day)
        when it is near or past. Never on an action's path; a backend without /models costs a debug line."""
        self.keep(asyncio.ensure_future(self._warn_about_model()))

    async def _warn_about_model(self) -> None:
        settings = self.settings
        try:
            self.pipeline.configure(settings)
            router = self.pipeline.router
            warning = await router.shutdown_warning(settings)
            status = await router.status(settings)
            warning = warning or router.unknown_model_warning(settings)
        except Exception as exc:  # a lookup must never disturb the editor
            log.debug("model lifetime check failed: %s", exc)
            return
        if warning:
            self.show(warning, lsp.MessageType.Warning)
        log.info("model check: %s: %s", settings.model, status.describe())

    # -- the pipeline's Events -----------------------------------------------------------------------

    def notice(self, message: str) -> None:
        self.show(message, lsp.MessageType.Warning)

    def in_flight(self, count: int) -> None:
        self.send_status_soon()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls shows protocol-level glitches (a message it could not handle) to the user; log them."""
        log.warning("LSP protocol error (%s): %s", getattr(source, "__name__", source), error)

    def workspace_key(self, uri: str) -> str:
        """The workspace a document belongs to: consent to run code is given per workspace."""
        folders = [f.uri for f in (self.workspace.folders or {}).values()] if self.workspace else []
        for folder in sorted(folders, key=len, reverse=True):
            if uri.startswith(folder.rstrip("/") + "/"):
                return str(folder)
        root = self.workspace.root_uri if self.workspace else None
        return str(root) if root else uri.rsplit("/", 1)[0]

    def send_status_soon(self) -> None:
        """Coalesce status updates: a burst of 32 calls sends a few notifications, not 64."""
        if self._status_pending:
            return
        self._status_pending = True

        def send() -> None:
            self._status_pending = False
            self.send_status()

        asyncio.get_running_loop().call_later(0.05, send)

    def send_status(self) -> None:
        """``gptls/status``: calls in flight, the last error, today's cost and the progress a user may cancel
        (token and title: the VS Code extension shows each as a notification with Cancel)."""
        in_flight = self._pipeline.in_flight if self._pipeline is not None else 0
        today = round(self._pipeline.usage.today_usd(), 4) if self._pipeline is not None else 0.0
        progress = [{"token": token, "title": title} for token, title in self.active_progress.items()]
        self.protocol.notify(
            STATUS_NOTIFICATION,
            {
                "inFlight": in_flight,
                "lastError": message_text(self.last_error) if self.last_error else None,
                "todayUsd": today,
                "progress": progress,
                "demo": self.demo,
                "indexed": self.index_state(),  # files: how many; built; note: why not more
            },
        )

    # -- settings ---------------------------------------------------------------------------------

    def apply_options(self, options: Any, source: str) -> None:
        if isinstance(options, dict) and isinstance(options.get("gptls"), dict):
            options = options["gptls"]
        if not isinstance(options, dict):
            if options is not None:
                log.info("ignoring %s: not an object", source)
            return
        update = self.settings.updated(options, trusted=False, base=self.user_settings)
        # Each problem is shown once, however often the client sends the same settings; again after a change.
        problems = set(update.errors)
        for key in update.unknown:
            close = difflib.get_close_matches(key, [camel(name) for name in SETTING_NAMES], n=1)
            hint = f": did you mean {close[0]!r}?" if close else "."
            problems.add(f"unknown gptls setting {key!r} is ignored{hint}")
        self._problems_shown &= problems
        for problem in sorted(problems - self._problems_shown):
            self._problems_shown.add(problem)
            log.warning("%s (from %s)", problem, source)
            self.show(problem, lsp.MessageType.Warning)
        for key in update.ignored:
            if key not in self._ignored_warned:  # once per setting: configuration is pulled again and again
                self._ignored_warned.add(key)
                message = ignored_setting_message(key, source, self.user_settings.config_file)
                log.warning(message)
                self.show(message, lsp.MessageType.Warning)
        old, new = self.settings, update.settings
        if self.index is not None and new.exclude != old.exclude:
            self.index.set_exclude(new.exclude)  # newly excluded files leave the index at once
        changed_model = (new.base_url, new.model, new.api_key) != (old.base_url, old.model, old.api_key)
        self.settings = update.settings
        log.info("settings applied from %s", source)
        if self.settings.api_key:
            register_secret(self.settings.api_key.reveal())
        if self._pipeline is not None:
            self._pipeline.configure(self.settings)
            if changed_model:
                self.check_model_soon()

    async def pull_configuration(self) -> None:
        try:
            answer = await self.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="gptls")])
            )
        except Exception as exc:  # a client that fails this request still gets a working server
            log.info("workspace/configuration failed: %s", exc)
            return
        if answer:
            self.apply_options(answer[0], "workspace/configuration")

    # -- messages -----------------------------------------------------------------------------------

    def show(self, message: str, kind: lsp.MessageType = lsp.MessageType.Error) -> None:
        # Messages carry the model's words (notes, explanations, sandbox output): no control characters, no links.
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=message_text(message)))

    def report(self, error: BaseException, what: str) -> None:
        """Tell the user what went wrong and what to do; details go to the log."""
        from gptls.actions import ActionError
        from gptls.errors import GptlsError

        self.last_error = str(error) if isinstance(error, GptlsError) else f"internal error in {what}"
        self.send_status()
        if isinstance(error, GptlsError):
            log.warning("%s failed: %s", what, error.details())
            self.show(
                f"gptls: {error}", lsp.MessageType.Warning if isinstance(error, ActionError) else lsp.MessageType.Error
            )
        else:
            log.exception("%s failed with an internal error", what, exc_info=error)
            self.show(f"gptls: internal error in {what} ({type(error).__name__}); see the gptls log.")

    # -- documents ------------------------------------------------------------------------------------

    # -- progress -------------------------------------------------------------------------------------


# -- the handlers -----------------------------------------------------------------------------------------


def _experimental(caps: lsp.ClientCapabilities, name: str) -> bool:
    """A capability gptls' own clients declare under ``experimental.gptls``."""
    experimental = caps.experimental if isinstance(caps.experimental, dict) else {}
    ours = experimental.get("gptls")
    return isinstance(ours, dict) and ours.get(name) is True


def create_server(*, demo: bool = False) -> GptlsServer:
    server = GptlsServer()
    server.demo = demo

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: GptlsServer, params: lsp.InitializeParams) -> None:
        caps = params.capabilities
        code_action = caps.text_document.code_action if caps.text_document else None
        resolve = code_action.resolve_support if code_action else None
        ls.features = ClientFeatures(
            resolve_edit=bool(resolve and "edit" in resolve.properties),
            document_changes=bool(
                caps.workspace and caps.workspace.workspace_edit and caps.workspace.workspace_edit.document_changes
            ),
            work_done_progress=bool(caps.window and caps.window.work_done_progress),
            configuration=bool(caps.workspace and caps.workspace.configuration),
            dynamic_configuration=bool(
                caps.workspace
                and caps.workspace.did_change_configuration
                and caps.workspace.did_change_configuration.dynamic_registration
            ),
            llm_tag=bool(
                code_action
                and code_action.tag_support
                and lsp.CodeActionTag.LlmGenerated in code_action.tag_support.value_set
            ),
            show_document=bool(caps.window and caps.window.show_document and caps.window.show_document.support),
            create_files=bool(
                caps.workspace
                and caps.workspace.workspace_edit
                and lsp.ResourceOperationKind.Create in (caps.workspace.workspace_edit.resource_operations or [])
            ),
            watched_files=bool(
                caps.workspace
                and caps.workspace.did_change_watched_files
                and caps.workspace.did_change_watched_files.dynamic_registration
            ),
            review_edits=_experimental(caps, "reviewEdits"),
            own_notices=_experimental(caps, "notices"),
            change_annotations=bool(
                code_action
                and code_action.honors_change_annotations
                and caps.workspace
                and caps.workspace.workspace_edit
                and caps.workspace.workspace_edit.document_changes
                and caps.workspace.workspace_edit.change_annotation_support
            ),
        )
        speed_up(ls.workspace)
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

    @server.feature(lsp.INITIALIZED)
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
            from gptls.openai.errors import MissingApiKeyError

            ls.last_error = str(MissingApiKeyError())  # status bars show it (VS Code: with a Set API Key button)
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

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: GptlsServer, params: lsp.DidChangeConfigurationParams) -> None:
        if ls.features.configuration:
            await ls.pull_configuration()
        else:
            ls.apply_options(params.settings, "workspace/didChangeConfiguration")

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
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

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: GptlsServer, params: lsp.DidOpenTextDocumentParams) -> None:
        # pygls keeps the text; the index reads open files by path, so remember which path each one has.
        uri = params.text_document.uri
        if uri.startswith("file:"):
            ls.open_paths[unquote(urlparse(uri).path)] = uri

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GptlsServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls._completer is not None:  # no completer yet: nothing in flight (and none made for this)
            ls._completer.forget(uri)
        if uri.startswith("file:"):
            ls.open_paths.pop(unquote(urlparse(uri).path), None)

    # Each request goes straight to its handler in lsp/handlers.py (imported on first use).
    code_actions = lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.Refactor, lsp.CodeActionKind.RefactorRewrite], resolve_provider=True
    )
    for method, options, name in (
        (lsp.TEXT_DOCUMENT_CODE_ACTION, code_actions, "code_action"),
        (lsp.CODE_ACTION_RESOLVE, None, "resolve"),
        (lsp.TEXT_DOCUMENT_HOVER, None, "hover"),
        (lsp.TEXT_DOCUMENT_INLINE_COMPLETION, lsp.InlineCompletionOptions(), "inline_completion"),
    ):
        server.feature(method, options)(_handler(name))
    for command, name in (
        (RUN_COMMAND, "run_action"),
        (USAGE_COMMAND, "usage"),
        (CHECK_COMMAND, "check"),
        (SHOW_LAST_REQUEST_COMMAND, "show_last_request"),
        (OPEN_FILE_COMMAND, "open_written"),
    ):
        server.command(command)(_handler(name))

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: GptlsServer, *args: Any) -> None:
        logs.CONNECTION.connected = False  # what happens after shutdown goes to stderr again
        if ls.index_build is not None and not ls.index_build.done():
            ls.index_build.cancel()  # its worker processes are killed
            with contextlib.suppress(asyncio.CancelledError):
                await ls.index_build
        if ls._pipeline is not None:
            await ls._pipeline.aclose()
            ls._pipeline.usage.save()

    return server


# Whether each handler awaits (pygls runs the two kinds differently).
_ASYNC_HANDLERS = frozenset({"resolve", "hover", "run_action", "check", "inline_completion", "open_written"})


def _handler(name: str) -> Callable[..., Any]:
    """``handlers.<name>``, imported on its first call: ``initialize`` is answered before the actions, the
    pipeline and the HTTP client are loaded (they are warmed up in the background after ``initialized``)."""
    if name in _ASYNC_HANDLERS:

        async def call_async(ls: GptlsServer, *args: Any) -> Any:
            from gptls.lsp import handlers

            return await getattr(handlers, name)(ls, *args)

        call_async.__name__ = name
        return call_async

    def call(ls: GptlsServer, *args: Any) -> Any:
        from gptls.lsp import handlers

        return getattr(handlers, name)(ls, *args)

    call.__name__ = name
    return call


def _import_handlers() -> None:
    import gptls.lsp.handlers
    import gptls.openai.client  # noqa: F401 - and httpx
