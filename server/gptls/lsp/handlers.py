"""What each LSP request does, behind the thin registrations in ``server.py``.

Imported on the first request that needs it (``server.py`` stays light so ``initialize`` is answered
before the actions, the pipeline and their dependencies are loaded).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from gptls.actions import (
    Action,
    ActionError,
    EditResult,
    FileAddition,
    Outcome,
    TextResult,
    available,
    find,
)
from gptls.actions import explain as explain_action
from gptls.actions.base import NO_INPUTS, Inputs, Problem, Workspace
from gptls.completion.selected import Selected
from gptls.lsp.documents import FastTextDocument
from gptls.lsp.progress import model_progress
from gptls.lsp.protocol import OPEN_FILE_COMMAND, REVIEW_DISCARDED, RUN_COMMAND
from gptls.pipeline import Job, job_for
from gptls.privacy import is_excluded, looks_binary
from gptls.targets import find_function, function_target, target_at
from gptls.text import Document, Pos, Span
from gptls.text.edits import PlannedEdit, relocate, to_workspace_edit
from gptls.text.shown import message_text, plain

if TYPE_CHECKING:
    from gptls.lsp.server import GptlsServer

log = logging.getLogger(__name__)


def document(ls: GptlsServer, uri: str) -> tuple[Document, int | None]:
    text_doc = ls.workspace.get_text_document(uri)
    if isinstance(text_doc, FastTextDocument):
        return text_doc.snapshot(), text_doc.version
    return Document(text_doc.source, text_doc.language_id or "plaintext", uri), text_doc.version


if TYPE_CHECKING:  # typing.ParamSpec is 3.10+; the annotations that use it are never evaluated
    from typing import ParamSpec

    P = ParamSpec("P")
R = TypeVar("R")


def reported(
    what: str, fallback: Callable[[Exception, tuple[Any, ...]], Any]
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """The one error policy of every handler: a gptls error is a message the user can act on, anything else
    is logged with its traceback and reported as an internal error; either way the editor gets
    ``fallback(error, args)`` as the answer, never a protocol error, and nothing is swallowed silently.
    Cancellation goes through untouched (it closes the HTTP call)."""

    def wrap(handler: Callable[P, R]) -> Callable[P, R]:
        if inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                try:
                    return await handler(*args, **kwargs)
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    args[0].report(error, what)  # type: ignore[attr-defined]
                    return fallback(error, args)

            return run_async  # type: ignore[return-value]

        @functools.wraps(handler)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return handler(*args, **kwargs)
            except Exception as error:
                args[0].report(error, what)  # type: ignore[attr-defined]
                return cast(R, fallback(error, args))

        return run

    return wrap


def _nothing(_error: Exception, _args: tuple[Any, ...]) -> None:
    return None


@reported("code actions", _nothing)
def code_action(ls: GptlsServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    uri = params.text_document.uri
    doc, version = document(ls, uri)
    if is_excluded(uri, ls.settings.exclude, doc.memo) or looks_binary(doc.text):
        return None
    only = params.context.only if params.context else None
    if not picked_by_user(params.context):
        return None  # every gptls action calls the model: nothing for a save or an automatic request
    found = []
    span = ls.units.span_from_client(doc, params.range)
    target = target_at(doc, span)
    diagnostics = params.context.diagnostics if params.context else []
    near = [d for d in diagnostics if _overlaps(d.range, params.range)]
    problems = [Problem(d.message, d.code, d.source) for d in near]
    for action in available(ls.settings):
        if not _wanted(action.kind, only) or (action.runs_code and not ls.settings.verified_action):
            continue
        if action.offers is not None:
            for offer in action.offers(doc, span):
                found.append(
                    _code_action(ls, offer.title, action, uri, params.range, version, offer.inputs, asked_by_file=True)
                )
        elif action.takes_problems:
            for offer, diagnostic in zip(action.problem_offers(problems), near):
                found.append(_code_action(ls, offer.title, action, uri, diagnostic.range, version, offer.inputs))
                found[-1].diagnostics = [diagnostic]
        elif target is not None and action.offered(target, doc):
            found.append(_code_action(ls, action.title, action, uri, params.range, version))
    return found


def _code_action(
    ls: GptlsServer,
    title: str,
    action: Action,
    uri: str,
    rng: lsp.Range,
    version: int | None,
    inputs: Inputs = NO_INPUTS,
    *,
    asked_by_file: bool = False,
) -> lsp.CodeAction:
    data = {"action": action.id, "uri": uri, "range": _range_json(rng), "version": version, **inputs.to_data()}
    title = message_text(title)  # a settings-defined action's or an instruction comment's words
    code_action = lsp.CodeAction(title=title, kind=action.kind, data=data, tags=_tags(ls))
    # A reviewed edit goes through workspace/applyEdit, where gptls' VS Code extension shows it for review.
    if action.produces == "text" or not ls.features.resolve_edit or reviewed_by_client(ls, action, asked_by_file):
        code_action.command = lsp.Command(title=title, command=RUN_COMMAND, arguments=[data])
    return code_action


def picked_by_user(context: lsp.CodeActionContext | None) -> bool:
    """The user asked for actions (a menu, a key), not the editor on its own: VS Code asks with trigger kind
    Automatic on every cursor move (the light bulb) and on save (``editor.codeActionsOnSave``, which a
    repository's .vscode/settings.json can set, with any kind, and whose actions VS Code applies unasked).
    ``source.*`` kinds are what editors run on save and organize-imports menus."""
    if context is None:
        return True
    if context.trigger_kind == lsp.CodeActionTriggerKind.Automatic:
        return False
    return not context.only or not all(kind == "source" or kind.startswith("source.") for kind in context.only)


def must_review(ls: GptlsServer, action: Action, asked_by_file: bool) -> bool:
    """A rewrite is reviewed unless the user turned review off, and always when the file's text asked for it."""
    return action.review and (ls.settings.preview_edits or asked_by_file)


def reviewed_by_client(ls: GptlsServer, action: Action, asked_by_file: bool = False) -> bool:
    """The edit goes to a client that shows it for review (diff, Apply/Discard) with the model's note."""
    return must_review(ls, action, asked_by_file) and ls.features.review_edits


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return not (key(a.end) < key(b.start) or key(b.end) < key(a.start))


@reported("resolving the code action", lambda _error, args: args[1])
async def resolve(ls: GptlsServer, action: lsp.CodeAction) -> lsp.CodeAction:
    job, _version = ls_job(ls, action.data)
    if job.action.produces != "edit" or reviewed_by_client(ls, job.action, job.asked_by_file):
        return action  # its command runs it (VS Code resolves every action it applies, command or not)
    outcome = await run_job(ls, job)
    assert not isinstance(outcome, TextResult)
    edit = outcome_edit(ls, job, outcome)
    if edit is not None:
        action.edit = edit
        if isinstance(outcome, FileAddition):  # the client runs it once the edit is applied
            action.command = lsp.Command(title="Open the tests", command=OPEN_FILE_COMMAND, arguments=[_written(edit)])
    return action


def _written(edit: lsp.WorkspaceEdit) -> str:
    """The file a Write tests edit creates or appends to."""
    for change in edit.document_changes or []:
        if isinstance(change, lsp.CreateFile):
            return change.uri
        if isinstance(change, lsp.TextDocumentEdit):
            return change.text_document.uri
    return ""


@reported("opening the file", lambda error, _args: {"shown": False, "error": str(error)})
async def open_written(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    """Show the file an action wrote (Write tests): in the editor where it can, else say where it is."""
    uri = args[0] if args and isinstance(args[0], str) else ""
    if not uri.startswith("file:"):
        return {"shown": False}
    if ls.features.show_document:
        result = await ls.window_show_document_async(lsp.ShowDocumentParams(uri=uri, take_focus=True))
        if result.success:
            return {"shown": True}
    ls.show(f"gptls: the tests are in {unquote(urlparse(uri).path)}", lsp.MessageType.Info)
    return {"shown": False}


@reported("the action", lambda error, _args: {"applied": False, "error": str(error)})
async def run_action(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    job, _version = ls_job(ls, args[0] if args else None)
    outcome = await run_job(ls, job)
    if isinstance(outcome, TextResult):
        ls.show(outcome.plain, lsp.MessageType.Info)
        return {"applied": False, "text": outcome.markdown}
    edit = outcome_edit(ls, job, outcome)
    if edit is None:
        return {"applied": False, "reason": "document changed"}
    try:
        result = await ls.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(edit=edit, label=message_text(job.action.title))
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # the editor answered with an error instead of a result: that is its answer
        result = lsp.ApplyWorkspaceEditResult(applied=False, failure_reason=str(exc) or type(exc).__name__)
    if not result.applied and result.failure_reason == REVIEW_DISCARDED:
        log.info("%s: discarded in the review", job.action.id)
    elif not result.applied:
        ls.show(
            f"gptls: the editor did not apply the edit ({result.failure_reason or 'no reason given'}); "
            "the buffer is unchanged.",
            lsp.MessageType.Warning,
        )
        log.info("rejected edit for %s", job.doc.uri)
    if result.applied and isinstance(outcome, FileAddition):
        await open_written(ls, _written(edit))
    return {"applied": bool(result.applied), "note": outcome.note if isinstance(outcome, EditResult) else ""}


@reported("the usage report", lambda error, _args: {"error": str(error)})
def usage(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    ls.show(ls.pipeline.usage.summary(), lsp.MessageType.Info)
    return {**ls.pipeline.usage.report(), "completionStats": ls.completer.report()}


async def inline_completion(ls: GptlsServer, params: lsp.InlineCompletionParams) -> lsp.InlineCompletionList | None:
    """Ghost text at the cursor (``textDocument/inlineCompletion``); the completer decides whether to call."""
    uri = params.text_document.uri
    doc, version = document(ls, uri)
    pos = ls.units.pos_from_client(doc, params.position.line, params.position.character)

    def current_version() -> int | None:
        held = ls.workspace.text_documents.get(uri)
        return None if held is None else held.version

    chosen = params.context.selected_completion_info
    selected = None
    if chosen is not None:
        selected = Selected(ls.units.span_from_client(doc, chosen.range), chosen.text)
    found = await ls.completer.complete(
        doc,
        version,
        pos,
        ls.settings,
        invoked=params.context.trigger_kind == lsp.InlineCompletionTriggerKind.Invoked,
        current_version=current_version,
        selected=selected,
    )
    if found is None:
        return None
    item = lsp.InlineCompletionItem(insert_text=found.text, range=ls.units(doc, Span(found.start, found.end)))
    return lsp.InlineCompletionList(items=[item])


@reported("showing the last request", lambda error, _args: {"error": str(error)})
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


@reported("the connection check", lambda error, _args: {"ok": False, "error": str(error)})
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


@reported("hover", _nothing)
async def hover(ls: GptlsServer, params: lsp.HoverParams) -> lsp.Hover | None:
    mode = ls.settings.hover
    if mode == "off":
        return None
    uri = params.text_document.uri
    doc, _version = document(ls, uri)
    if is_excluded(uri, ls.settings.exclude, doc.memo) or looks_binary(doc.text):
        return None
    pos = ls.units.pos_from_client(doc, params.position.line, params.position.character)
    function = find_function(doc, pos.line)
    if function is None or pos.line != function.header_line:
        return None
    line = doc.line(function.header_line)
    name_at = _word_at(line, pos.char)
    if name_at is None or line[name_at[0] : name_at[1]] != function.name:
        return None
    job = Job(explain_action.ACTION, doc, function_target(doc, function), kind="hovers")
    remembered = ls.explanations.get((uri, function.name))
    if remembered is not None and remembered[0] == job.target.text:
        outcome: Outcome | None = remembered[1]
    elif mode == "cached" or ls.pipeline.paused_by_budget(ls.settings):
        outcome = ls.pipeline.cached(job, ls.settings)
    else:
        # The editor shows its own loading state for a hover: progress only if it asked (workDoneToken).
        outcome = await run_job(ls, job, params.work_done_token, server_progress=False)
    if not isinstance(outcome, TextResult):
        return None
    name_span = Span(Pos(function.header_line, name_at[0]), Pos(function.header_line, name_at[1]))
    if _prefers_plain_hovers(ls):
        contents = lsp.MarkupContent(kind=lsp.MarkupKind.PlainText, value=plain(outcome.plain))
    else:
        contents = lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=outcome.markdown)
    return lsp.Hover(contents=contents, range=ls.units(doc, name_span))


def _prefers_plain_hovers(ls: GptlsServer) -> bool:
    """The client lists plain text first (or does not list Markdown): it gets the model's words as text."""
    document = ls.client_capabilities.text_document
    formats = list(document.hover.content_format or []) if document and document.hover else []
    return bool(formats) and (formats[0] == lsp.MarkupKind.PlainText or lsp.MarkupKind.Markdown not in formats)


async def run_job(
    ls: GptlsServer, job: Job, token: lsp.ProgressToken | None = None, *, server_progress: bool = True
) -> Outcome:
    """Run one job with progress (and consent, for actions that execute code); tell the user its note.
    Progress uses the client's ``token`` when it sent one, else one gptls creates (if ``server_progress``)."""
    await ensure_may_run_code(ls, job)
    await ls.until_settled()  # an action asked during start-up: the project index exists before its prompt
    title = job.action.short_title
    async with model_progress(ls, title, token, create=server_progress) as progress:
        outcome = await ls.pipeline.run(
            job,
            ls.settings,
            reporter=progress,
        )
        if isinstance(outcome, EditResult) and outcome.note:
            progress.final = outcome.note[:200]
    ls.usage_changed()
    if ls.last_error is not None:  # a call that works clears the error shown in status bars
        ls.last_error = None
        ls.send_status_soon()
    function = job.target.function
    explained = isinstance(outcome, TextResult) and job.action.remembered_as_hover
    if explained and function is not None and job.target.kind in ("function", "stub"):
        assert isinstance(outcome, TextResult)
        ls.explanations[(job.doc.uri, function.name)] = (job.target.text, outcome)
    if isinstance(outcome, EditResult) and outcome.note:
        log.info("%s: %s", job.action.id, outcome.note)
        if outcome.verdict is not None:  # a test run's verdict: always, once; a warning when it is not trusted
            kind = lsp.MessageType.Info if outcome.verdict.trusted else lsp.MessageType.Warning
            ls.show(f"gptls: {title}: {outcome.note}", kind)
        elif not reviewed_by_client(ls, job.action):
            # What the model says it changed (a refactor's explanation): a progress' end message is gone in a
            # moment, or never shown (VS Code's status bar). A client's review shows it.
            ls.show(f"gptls: {title}: {outcome.note}", lsp.MessageType.Info)
    return outcome


async def ensure_may_run_code(ls: GptlsServer, job: Job) -> None:
    """Actions that execute model-written code need the setting on and the user's consent, given for the
    boundary the code will run behind (consent.py: the dialog names it; consent for one is not for another)."""
    if not job.action.runs_code:
        return
    if not ls.settings.verified_action:
        raise ActionError("Running model-written code is turned off (gptls.verifiedAction).")
    from gptls import consent
    from gptls.sandbox import find_boundary

    boundary = await find_boundary(ls.settings.sandbox, ls.settings.bwrap_path or None)
    workspace = f"{ls.workspace_key(job.doc.uri)} {boundary.kind}"
    if boundary.available and ls.consent.allowed(workspace):
        return
    asked = consent.question(job.action.short_title, boundary)
    answer = await ls.window_show_message_request_async(
        lsp.ShowMessageRequestParams(
            type=lsp.MessageType.Warning,
            message=asked.message,
            actions=[lsp.MessageActionItem(title=t) for t in asked.choices],
        )
    )
    if consent.remember_always(answer.title if answer is not None else None, boundary):
        ls.consent.allow_always(workspace)


def ls_job(ls: GptlsServer, data: Any) -> tuple[Job, int | None]:
    """The job a code action's data describes, against the document as it is now."""
    if not isinstance(data, dict) or not isinstance(data.get("action"), str) or not isinstance(data.get("uri"), str):
        raise ActionError("This gptls action is malformed or from another version; ask for code actions again.")
    action = find(ls.settings, data["action"])
    if action is None:
        raise ActionError("This gptls action is malformed, from another version, or no longer defined; ask again.")
    doc, version = document(ls, data["uri"])
    span = ls.units.span_from_client(doc, _range_from_json(data.get("range")))
    job = job_for(action, doc, span, workspace(ls, doc.uri, Inputs.from_data(data)))
    if job is None:
        raise ActionError(f"{action.short_title} does not apply here any more.")
    return job, version


def workspace(ls: GptlsServer, uri: str, inputs: Inputs = NO_INPUTS) -> Workspace:
    """What the editor knows beyond the document: its folder, the excludes, its open buffers."""

    def opened(file_uri: str) -> tuple[str, int | None] | None:
        held = ls.workspace.text_documents.get(file_uri)
        return None if held is None else (held.source, held.version)

    root = unquote(urlparse(ls.workspace_key(uri)).path)
    return Workspace(root, ls.settings.exclude, opened, inputs)


def outcome_edit(ls: GptlsServer, job: Job, outcome: EditResult | FileAddition) -> lsp.WorkspaceEdit | None:
    if isinstance(outcome, FileAddition):
        return file_addition_edit(ls, job, outcome)
    return ls_workspace_edit(ls, job, outcome.edit, outcome.note)


def file_addition_edit(ls: GptlsServer, job: Job, outcome: FileAddition) -> lsp.WorkspaceEdit:
    """One versioned workspace edit: create the other file with the code, or append it to it (the file as it is
    now: the open buffer wins over the disk)."""
    target = outcome.destination(workspace(ls, job.doc.uri))
    # resourceOperations exist only inside documentChanges: a client declaring them takes documentChanges.
    if not (ls.features.document_changes or ls.features.create_files):
        raise ActionError(
            f"{job.action.short_title} needs an editor that applies documentChanges; nothing was applied."
        )
    text = target.addition(outcome.code)
    if target.existing is None:
        if not ls.features.create_files:
            raise ActionError(f"This editor cannot create files through LSP: create {target.path} and try again.")
        create: list[Any] = [
            lsp.CreateFile(uri=target.uri, options=lsp.CreateFileOptions(ignore_if_exists=True)),
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=target.uri, version=None),
                edits=[
                    lsp.TextEdit(
                        range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
                        new_text=text,
                    )
                ],
            ),
        ]
        return lsp.WorkspaceEdit(document_changes=create)
    existing = Document(target.existing)
    end = Pos(len(existing.lines) - 1, len(existing.lines[-1]))
    at = ls.units(existing, Span(end, end)).start
    append = lsp.TextEdit(range=lsp.Range(start=at, end=at), new_text=text)
    return lsp.WorkspaceEdit(
        document_changes=[
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=target.uri, version=target.version),
                edits=[append],
            )
        ]
    )


def ls_workspace_edit(ls: GptlsServer, job: Job, planned: PlannedEdit, note: str = "") -> lsp.WorkspaceEdit | None:
    """The edit against the document as it is now, or None (and a message) when it no longer fits."""
    now, version = document(ls, job.doc.uri)
    moved = relocate(planned, job.doc, now)
    if moved is None:
        ls.show(
            "gptls: the code changed while the model worked on it, so the result was not applied (it is in "
            "the gptls log). Run the action again.",
            lsp.MessageType.Warning,
        )
        log.info("discarded result for %s:\n%s", job.doc.uri, planned.new_text)
        return None
    annotated = ls.features.change_annotations or ls.features.review_edits
    review = None
    if must_review(ls, job.action, job.asked_by_file) and annotated:
        # The review shows the instruction whole (a title may cut it): what the model was asked to do.
        review = f"{job.action.title}: {job.instruction.text}" if job.instruction else job.action.title
    return to_workspace_edit(
        job.doc.uri,
        version,
        now,
        moved,
        document_changes=ls.features.document_changes,
        to_client=ls.units,
        review=review,
        note=note,
    )


def _tags(ls: GptlsServer) -> list[lsp.CodeActionTag] | None:
    """LSP 3.18: every gptls action is written by a model; clients that know the tag may show it."""
    return [lsp.CodeActionTag.LlmGenerated] if ls.features.llm_tag else None


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
