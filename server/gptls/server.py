"""The pygls language server: each handler is a thin adapter from LSP to the pipeline and back."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp
from pygls.capabilities import ServerCapabilitiesBuilder
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from gptls import __version__
from gptls.actions import ALL, BY_ID, Action, ActionError, EditResult, Outcome, TextResult
from gptls.actions import explain as explain_action
from gptls.config import Settings
from gptls.consent import ConsentStore
from gptls.context import Document, Pos, Span, find_function, function_target, is_excluded, looks_binary, target_at
from gptls.documents import speed_up
from gptls.edits import ClientUnits, PlannedEdit, relocate, to_workspace_edit
from gptls.openai.errors import GptlsError, RateLimitError
from gptls.pipeline import Job, Pipeline
from gptls.redact import protect, register_secret

log = logging.getLogger("gptls.server")

RUN_COMMAND = "gptls.runAction"
USAGE_COMMAND = "gptls.usage"
CHECK_COMMAND = "gptls.check"
STATUS_NOTIFICATION = "gptls/status"


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


@dataclass
class ClientFeatures:
    """What the client said it can do, read once at initialize."""

    resolve_edit: bool = False
    document_changes: bool = False
    work_done_progress: bool = False
    configuration: bool = False
    dynamic_configuration: bool = False
    apply_edit: bool = True


class GptlsServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("gptls", __version__, protocol_cls=GptlsProtocol)
        self.settings = Settings.from_env()
        self.pipeline = Pipeline()
        self.features = ClientFeatures()
        self.units = ClientUnits("utf-16")
        self.last_error: str | None = None
        self.consent = ConsentStore(self.settings.state_dir)
        self.pipeline.on_in_flight = lambda _n: self.send_status_soon()
        self._status_pending = False
        self._background: set[asyncio.Task[None]] = set()  # tasks nobody awaits, kept alive until done

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
        """``gptls/status``: calls in flight and the last error, for status bars (the VS Code extension)."""
        self.protocol.notify(STATUS_NOTIFICATION, {"inFlight": self.pipeline.in_flight, "lastError": self.last_error})

    # -- settings ---------------------------------------------------------------------------------

    def apply_options(self, options: Any, source: str) -> None:
        if isinstance(options, dict) and isinstance(options.get("gptls"), dict):
            options = options["gptls"]
        if not isinstance(options, dict):
            if options is not None:
                log.info("ignoring %s: not an object", source)
            return
        update = self.settings.updated(options)
        for key in update.unknown:
            log.info("ignoring unknown gptls setting %r from %s", key, source)
        for error in update.errors:
            log.warning(error)
            self.show(error, lsp.MessageType.Warning)
        self.settings = update.settings
        if self.settings.api_key:
            register_secret(self.settings.api_key.reveal())
        self.pipeline.configure(self.settings)

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
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=message))

    def report(self, error: BaseException, what: str) -> None:
        """Tell the user what went wrong and what to do; details go to the log."""
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

    def document(self, uri: str) -> tuple[Document, int | None]:
        text_doc = self.workspace.get_text_document(uri)
        return Document(text_doc.source, text_doc.language_id or "plaintext", uri), text_doc.version

    # -- progress -------------------------------------------------------------------------------------

    @asynccontextmanager
    async def model_progress(self, title: str, token: lsp.ProgressToken | None = None) -> AsyncIterator[_Progress]:
        """Work-done progress for one model call; the client's Cancel cancels the calling task.

        A server-created token needs a round trip to the client; it runs beside the model call instead of
        before it, so progress never adds latency. A call that ends before the client answers shows none.
        """
        task = asyncio.current_task()
        reporter = _Progress(self, task, title)
        if token is not None:
            reporter.begin(token)
        elif self.features.work_done_progress:
            # Left to finish even if the call ends first (pygls cannot take a cancelled request's answer);
            # begin() does nothing once the call has ended.
            creating = asyncio.ensure_future(self._create_progress(f"gptls-{uuid.uuid4()}", reporter))
            self._background.add(creating)
            creating.add_done_callback(self._background.discard)
        outcome = "done"
        try:
            yield reporter
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except BaseException:
            outcome = "failed"
            raise
        finally:
            reporter.end(reporter.final or outcome)

    async def _create_progress(self, token: str, reporter: _Progress) -> None:
        try:
            await asyncio.wait_for(self.work_done_progress.create_async(token), 5)
        except Exception as exc:  # no progress is better than no answer
            log.info("window/workDoneProgress/create failed: %s", exc)
            return
        reporter.begin(token)


class _Progress:
    """One call's progress: begin once the token exists, reports while text arrives, end exactly once."""

    def __init__(self, server: GptlsServer, task: asyncio.Task[Any] | None, title: str) -> None:
        self.server = server
        self.task = task
        self.title = title
        self.token: lsp.ProgressToken | None = None
        self.received = 0
        self.final: str | None = None
        self._last = 0.0
        self._ended = False
        self._pending = "asking the model…"  # the latest message, shown by begin when it comes late

    def begin(self, token: lsp.ProgressToken) -> None:
        if self._ended:
            return
        self.token = token
        progress = self.server.work_done_progress
        progress.begin(token, lsp.WorkDoneProgressBegin(title=self.title, cancellable=True, message=self._pending))
        cancel = progress.tokens.get(token)
        task = self.task
        if cancel is not None and task is not None:
            loop = asyncio.get_running_loop()
            cancel.add_done_callback(lambda f: loop.call_soon_threadsafe(task.cancel) if f.cancelled() else None)

    def end(self, message: str) -> None:
        self._ended = True
        if self.token is not None:
            self.server.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message=message))
            self.server.work_done_progress.tokens.pop(self.token, None)

    def message(self, text: str) -> None:
        self._pending = text
        if self.token is not None and not self._ended:
            self.server.work_done_progress.report(self.token, lsp.WorkDoneProgressReport(message=text))

    def on_delta(self, text: str) -> None:
        self.received += len(text)
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            self.message(f"receiving… {self.received} characters")

    def on_queued(self) -> None:
        self.message("waiting for a free slot (gptls.maxConcurrentCalls)…")

    def on_retry(self, error: GptlsError, delay: float) -> None:
        reason = "rate limited" if isinstance(error, RateLimitError) else type(error).__name__
        self.message(f"{reason}; retrying in {delay:.1f}s…")


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


# -- the handlers -----------------------------------------------------------------------------------------


def create_server() -> GptlsServer:
    server = GptlsServer()

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
            apply_edit=not (caps.workspace and caps.workspace.apply_edit is False),
        )
        speed_up(ls.workspace)
        encoding = ServerCapabilitiesBuilder.choose_position_encoding(caps)
        ls.units = ClientUnits(getattr(encoding, "value", str(encoding)))
        handler = protect(LspLogHandler(ls))
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logging.getLogger("gptls").addHandler(handler)
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
        if ls.features.configuration:
            await ls.pull_configuration()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: GptlsServer, params: lsp.DidChangeConfigurationParams) -> None:
        if ls.features.configuration:
            await ls.pull_configuration()
        else:
            ls.apply_options(params.settings, "workspace/didChangeConfiguration")

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: GptlsServer, params: lsp.DidOpenTextDocumentParams) -> None:
        pass  # pygls keeps the text; declaring the feature makes it advertise open/close sync

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[lsp.CodeActionKind.Refactor, lsp.CodeActionKind.RefactorRewrite],
            resolve_provider=True,
        ),
    )
    def code_action(ls: GptlsServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        try:
            doc, version = ls.document(uri)
        except Exception:
            return None
        if is_excluded(uri, ls.settings.exclude) or looks_binary(doc.text):
            return None
        span = ls.units.span_from_client(doc, params.range)
        target = target_at(doc, span)
        if target is None:
            return None
        only = params.context.only if params.context else None
        found = []
        for action in ALL:
            if not action.offered(target, doc) or (action.runs_code and not ls.settings.verified_action):
                continue
            if only and not any(action.kind == k or action.kind.startswith(f"{k}.") for k in only):
                continue
            data = {"action": action.id, "uri": uri, "range": _range_json(params.range), "version": version}
            code_action = lsp.CodeAction(title=action.title, kind=action.kind, data=data)
            if action.produces == "text" or not ls.features.resolve_edit:
                code_action.command = lsp.Command(title=action.title, command=RUN_COMMAND, arguments=[data])
            found.append(code_action)
        return found

    @server.feature(lsp.CODE_ACTION_RESOLVE)
    async def resolve(ls: GptlsServer, action: lsp.CodeAction) -> lsp.CodeAction:
        try:
            job, _version = ls_job(ls, action.data)
            if job.action.produces != "edit":
                return action
            outcome = await run_job(ls, job)
            assert isinstance(outcome, EditResult)
            edit = ls_workspace_edit(ls, job, outcome.edit)
            if edit is not None:
                action.edit = edit
        except asyncio.CancelledError:
            raise
        except Exception as error:
            ls.report(error, "resolving the code action")
        return action

    @server.command(RUN_COMMAND)
    async def run_action(ls: GptlsServer, *args: Any) -> dict[str, Any]:
        data = args[0] if args else None
        try:
            job, _version = ls_job(ls, data)
            outcome = await run_job(ls, job)
            if isinstance(outcome, TextResult):
                ls.show(outcome.plain, lsp.MessageType.Info)
                return {"applied": False, "text": outcome.markdown}
            edit = ls_workspace_edit(ls, job, outcome.edit)
            if edit is None:
                return {"applied": False, "reason": "document changed"}
            try:
                result = await ls.workspace_apply_edit_async(
                    lsp.ApplyWorkspaceEditParams(edit=edit, label=job.action.title)
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the editor answered with an error instead of a result
                result = lsp.ApplyWorkspaceEditResult(applied=False, failure_reason=str(exc) or type(exc).__name__)
            if not result.applied:
                ls.show(
                    f"gptls: the editor did not apply the edit ({result.failure_reason or 'no reason given'}); "
                    "the buffer is unchanged.",
                    lsp.MessageType.Warning,
                )
                log.info("rejected edit for %s:\n%s", job.doc.uri, outcome.edit.new_text)
            return {"applied": bool(result.applied), "note": outcome.note}
        except asyncio.CancelledError:
            raise
        except Exception as error:
            ls.report(error, "the action")
            return {"applied": False, "error": str(error)}

    @server.command(USAGE_COMMAND)
    def usage(ls: GptlsServer, *args: Any) -> dict[str, Any]:
        ls.show(ls.pipeline.usage.summary(), lsp.MessageType.Info)
        return ls.pipeline.usage.report()

    @server.command(CHECK_COMMAND)
    async def check(ls: GptlsServer, *args: Any) -> dict[str, Any]:
        from gptls.openai import ResponseRequest

        request = ResponseRequest(
            input="Reply with the single word: ok", instructions="You are a connectivity check.", max_output_tokens=256
        )
        try:
            result = await ls.pipeline.client.create(request, ls.settings)
        except GptlsError as error:
            ls.report(error, "the connection check")
            return {"ok": False, "error": str(error)}
        info = result.info
        ls.show(
            f"gptls: {result.model or ls.settings.model} answered in {info.latency_ms:.0f} ms "
            f"(request id {info.request_id or 'n/a'}).",
            lsp.MessageType.Info,
        )
        return {"ok": True, "model": result.model, "latencyMs": round(info.latency_ms), "requestId": info.request_id}

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: GptlsServer, params: lsp.HoverParams) -> lsp.Hover | None:
        mode = ls.settings.hover
        if mode == "off":
            return None
        uri = params.text_document.uri
        try:
            doc, _version = ls.document(uri)
            if is_excluded(uri, ls.settings.exclude) or looks_binary(doc.text):
                return None
            pos = ls.units.pos_from_client(doc, params.position.line, params.position.character)
            function = find_function(doc, pos.line)
            if function is None or pos.line != function.header_line:
                return None
            line = doc.line(function.header_line)
            name_at = _word_at(line, pos.char)
            if name_at is None or line[name_at[0] : name_at[1]] != function.name:
                return None
            job = Job(explain_action.ACTION, doc, function_target(doc, function))
            if mode == "cached":
                outcome = ls.pipeline.cached(job, ls.settings)
            else:
                outcome = await run_job(ls, job, params.work_done_token)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            ls.report(error, "hover")
            return None
        if not isinstance(outcome, TextResult):
            return None
        name_span = Span(Pos(function.header_line, name_at[0]), Pos(function.header_line, name_at[1]))
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=outcome.markdown),
            range=ls.units(doc, name_span),
        )

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: GptlsServer, *args: Any) -> None:
        await ls.pipeline.aclose()

    return server


async def run_job(ls: GptlsServer, job: Job, token: lsp.ProgressToken | None = None) -> Outcome:
    """Run one job with progress (and consent, for actions that execute code); tell the user its note."""
    await ensure_may_run_code(ls, job)
    title = job.action.title.removeprefix("gptls: ")
    async with ls.model_progress(title, token) as progress:
        outcome = await ls.pipeline.run(
            job,
            ls.settings,
            on_delta=progress.on_delta,
            on_queued=progress.on_queued,
            on_retry=progress.on_retry,
            on_message=progress.message,
        )
        if isinstance(outcome, EditResult) and outcome.note:
            progress.final = outcome.note[:200]
    if ls.last_error is not None:  # a call that works clears the error shown in status bars
        ls.last_error = None
        ls.send_status_soon()
    if isinstance(outcome, EditResult) and outcome.note:
        log.info("%s: %s", job.action.id, outcome.note)
        if job.action.runs_code:
            passed = outcome.note.startswith("tests passed")
            ls.show(f"gptls: {title}: {outcome.note}", lsp.MessageType.Info if passed else lsp.MessageType.Warning)
    return outcome


ALLOW_ONCE, ALLOW_ALWAYS, CANCEL = "Allow once", "Always for this workspace", "Cancel"


async def ensure_may_run_code(ls: GptlsServer, job: Job) -> None:
    """Actions that execute model-written code need the setting on and the user's consent."""
    if not job.action.runs_code:
        return
    if not ls.settings.verified_action:
        raise ActionError("Running model-written code is turned off (gptls.verifiedAction).")
    workspace = ls.workspace_key(job.doc.uri)
    if ls.consent.allowed(workspace):
        return
    answer = await ls.window_show_message_request_async(
        lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Warning,
            message=(
                "gptls: Generate function (verified) runs code written by the model on this machine to test it: "
                "in a separate Python, in a temporary directory, with time, CPU and memory limits, no network "
                "where the OS allows and no secrets in its environment. Allow it?"
            ),
            actions=[lsp.MessageActionItem(title=t) for t in (ALLOW_ONCE, ALLOW_ALWAYS, CANCEL)],
        )
    )
    choice = answer.title if answer is not None else CANCEL
    if choice == ALLOW_ALWAYS:
        ls.consent.allow_always(workspace)
    elif choice != ALLOW_ONCE:
        raise ActionError("Not run: running model-written code was not allowed.")


def ls_job(ls: GptlsServer, data: Any) -> tuple[Job, int | None]:
    """The job a code action's data describes, against the document as it is now."""
    if not isinstance(data, dict) or data.get("action") not in BY_ID or not isinstance(data.get("uri"), str):
        raise ActionError("This gptls action is malformed or from another version; ask for code actions again.")
    action: Action = BY_ID[data["action"]]
    doc, version = ls.document(data["uri"])
    rng = _range_from_json(data.get("range"))
    target = target_at(doc, ls.units.span_from_client(doc, rng))
    if target is None or not action.offered(target, doc):
        raise ActionError(f"{action.title.removeprefix('gptls: ')} does not apply here any more.")
    if action.retarget is not None:
        target = action.retarget(target, doc)
    return Job(action, doc, target), version


def ls_workspace_edit(ls: GptlsServer, job: Job, planned: PlannedEdit) -> lsp.WorkspaceEdit | None:
    """The edit against the document as it is now, or None (and a message) when it no longer fits."""
    now, version = ls.document(job.doc.uri)
    moved = relocate(planned, job.doc, now)
    if moved is None:
        ls.show(
            "gptls: the code changed while the model worked on it, so the result was not applied (it is in "
            "the gptls log). Run the action again.",
            lsp.MessageType.Warning,
        )
        log.info("discarded result for %s:\n%s", job.doc.uri, planned.new_text)
        return None
    return to_workspace_edit(
        job.doc.uri, version, now, moved, document_changes=ls.features.document_changes, to_client=ls.units
    )


def _range_json(rng: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


def _range_from_json(data: Any) -> lsp.Range:
    try:
        start, end = data["start"], data["end"]
        return lsp.Range(
            start=lsp.Position(line=int(start["line"]), character=int(start["character"])),
            end=lsp.Position(line=int(end["line"]), character=int(end["character"])),
        )
    except (KeyError, TypeError, ValueError):
        raise ActionError("This gptls action has no valid range; ask for code actions again.") from None


def _word_at(line: str, char: int) -> tuple[int, int] | None:
    def is_word(c: str) -> bool:
        return c.isalnum() or c in "_$"

    if not line:
        return None
    start = min(char, len(line))
    if start == len(line) or not is_word(line[start]):
        if start > 0 and is_word(line[start - 1]):
            start -= 1
        else:
            return None
    end = start
    while start > 0 and is_word(line[start - 1]):
        start -= 1
    while end < len(line) and is_word(line[end]):
        end += 1
    return start, end


__all__ = ["GptlsServer", "create_server"]
