"""Code actions: the menu (``textDocument/codeAction``), an edit computed when the editor resolves one, and
the command that runs one (``gptls.runAction``) and applies its edit or shows its text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from gptls.exclusion import is_excluded, looks_binary
from gptls.lsp.features import FEATURES
from gptls.lsp.jobs import document, ls_job, reviewed_by_client, run_job
from gptls.lsp.protocol import OPEN_FILE_COMMAND, REVIEW_DISCARDED, RUN_COMMAND
from gptls.text.shown import message_text

if TYPE_CHECKING:
    from gptls.actions import Action, EditResult, FileAddition
    from gptls.actions.base import Inputs
    from gptls.lsp.server import GptlsServer
    from gptls.pipeline import Job

log = logging.getLogger(__name__)

CODE_ACTIONS = lsp.CodeActionOptions(
    code_action_kinds=[lsp.CodeActionKind.Refactor, lsp.CodeActionKind.RefactorRewrite], resolve_provider=True
)


@FEATURES.request(lsp.TEXT_DOCUMENT_CODE_ACTION, CODE_ACTIONS, what="code actions")
def code_action(ls: GptlsServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    from gptls.actions import available
    from gptls.actions.base import Problem
    from gptls.targets import target_at

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
    inputs: Inputs | None = None,
    *,
    asked_by_file: bool = False,
) -> lsp.CodeAction:
    data = {
        "action": action.id,
        "uri": uri,
        "range": _range_json(rng),
        "version": version,
        **(inputs.to_data() if inputs else {}),
    }
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


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return not (key(a.end) < key(b.start) or key(b.end) < key(a.start))


@FEATURES.request(lsp.CODE_ACTION_RESOLVE, what="resolving the code action", fallback=lambda _error, args: args[0])
async def resolve(ls: GptlsServer, action: lsp.CodeAction) -> lsp.CodeAction:
    from gptls.actions import FileAddition, TextResult
    from gptls.lsp.outcomes import outcome_edit, written

    job, _version = ls_job(ls, action.data)
    if job.action.produces != "edit" or reviewed_by_client(ls, job.action, job.asked_by_file):
        return action  # its command runs it (VS Code resolves every action it applies, command or not)
    outcome = await run_job(ls, job)
    assert not isinstance(outcome, TextResult)
    edit = outcome_edit(ls, job, outcome)
    if edit is not None:
        action.edit = edit
        if isinstance(outcome, FileAddition):  # the client runs it once the edit is applied
            action.command = lsp.Command(title="Open the tests", command=OPEN_FILE_COMMAND, arguments=[written(edit)])
    return action


@FEATURES.command(
    OPEN_FILE_COMMAND, what="opening the file", fallback=lambda error, _args: {"shown": False, "error": str(error)}
)
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


@FEATURES.command(RUN_COMMAND, what="the action", fallback=lambda error, _args: {"applied": False, "error": str(error)})
async def run_action(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    from gptls.actions import TextResult

    job, _version = ls_job(ls, args[0] if args else None)
    outcome = await run_job(ls, job)
    if isinstance(outcome, TextResult):
        ls.show(outcome.plain, lsp.MessageType.Info)
        return {"applied": False, "text": outcome.markdown}
    return await apply_outcome(ls, job, outcome)


async def apply_outcome(ls: GptlsServer, job: Job, outcome: EditResult | FileAddition) -> dict[str, Any]:
    """Hand the outcome's edit to the editor (which may show it for review) and say what became of it."""
    from gptls.actions import EditResult, FileAddition
    from gptls.lsp.outcomes import outcome_edit, written

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
        await open_written(ls, written(edit))
    return {"applied": bool(result.applied), "note": outcome.note if isinstance(outcome, EditResult) else ""}


def _tags(ls: GptlsServer) -> list[lsp.CodeActionTag] | None:
    """LSP 3.18: every gptls action is written by a model; clients that know the tag may show it."""
    return [lsp.CodeActionTag.LlmGenerated] if ls.features.llm_tag else None


def _range_json(rng: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }
