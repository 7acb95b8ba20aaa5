"""The editor face: the pygls server and its state (settings, status, index, messages). Each request and
command is registered by a decorator beside its handler, in the module of its feature (``lsp/features.py``
lists them); the handlers hand the work to the pipeline and turn the outcome into LSP."""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import logging
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from gptls import __version__
from gptls.config import SETTING_NAMES, Settings, camel
from gptls.config_sources import ignored_setting_message, user_settings
from gptls.errors import GptlsError
from gptls.lsp.client_features import ClientFeatures
from gptls.lsp.protocol import (
    STATUS_NOTIFICATION,
    GptlsProtocol,
)
from gptls.redaction import register_secret
from gptls.text.positions import ClientUnits
from gptls.text.shown import message_text

if TYPE_CHECKING:
    from gptls.actions import TextResult
    from gptls.completion import Completer
    from gptls.consent import ConsentStore
    from gptls.conversations import Conversations
    from gptls.index import WorkspaceIndex
    from gptls.pipeline import Pipeline

# Only what answering `initialize` needs is imported here; the actions, the pipeline and the HTTP client
# are loaded by the first request that uses them (and warmed up in the background after `initialized`).

log = logging.getLogger(__name__)


class InternalError(GptlsError):
    """A bug in gptls, as status bars show it (the traceback is in the log)."""

    kind = "internal"


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
        self.last_error: GptlsError | None = None  # what status bars show until a call works
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
        self._conversations: Conversations | None = None

    @property
    def gptls_protocol(self) -> GptlsProtocol:
        return cast(GptlsProtocol, self.protocol)

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
    def conversations(self) -> Conversations:
        """Asks and their follow-ups, a bounded number per workspace."""
        if self._conversations is None:
            from gptls.conversations import Conversations

            self._conversations = Conversations()
        return self._conversations

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
                "lastError": message_text(str(self.last_error)) if self.last_error else None,
                "errorKind": self.last_error.kind if self.last_error else None,
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

        self.last_error = error if isinstance(error, GptlsError) else InternalError(f"internal error in {what}")
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


def create_server(*, demo: bool = False) -> GptlsServer:
    # Importing a feature module registers its handlers.
    from gptls.lsp import asking, code_actions, commands, completions, hover, lifecycle  # noqa: F401
    from gptls.lsp.features import FEATURES

    server = GptlsServer()
    server.demo = demo
    FEATURES.attach(server)
    return server


def _import_handlers() -> None:
    """What the first code action needs, imported in a thread while the editor is still starting up."""
    import gptls.actions
    import gptls.openai.client
    import gptls.pipeline  # noqa: F401 - and httpx
