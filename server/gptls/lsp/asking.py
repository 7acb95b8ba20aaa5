"""Asking about the code (``gptls.ask``, and its follow-ups) and refining a proposed edit (``gptls.refine``)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from gptls.lsp.features import FEATURES
from gptls.lsp.jobs import document, run_job, workspace
from gptls.lsp.protocol import ANSWER_NOTIFICATION, ASK_COMMAND, REFINE_COMMAND

if TYPE_CHECKING:
    from gptls.lsp.server import GptlsServer


def _failed(error: Exception, _args: tuple[Any, ...]) -> dict[str, Any]:
    return {"error": str(error)}


def _argument(args: tuple[Any, ...], command: str) -> dict[str, Any]:
    from gptls.actions import ActionError

    if not args or not isinstance(args[0], dict):
        raise ActionError(f"{command} takes one object argument; see the gptls docs (Ask and refine).")
    return args[0]


def _words(request: dict[str, Any], key: str, command: str) -> str:
    from gptls.actions import ActionError
    from gptls.actions.instruct import MAX_INSTRUCTION, visible

    said = request.get(key)
    shown = visible(said)[:MAX_INSTRUCTION] if isinstance(said, str) else ""
    if not shown:
        raise ActionError(f"{command} needs a {key} (text); nothing was sent.")
    return shown


def _uri(request: dict[str, Any], command: str) -> str:
    from gptls.actions import ActionError

    identifier = request.get("textDocument")
    uri = identifier.get("uri") if isinstance(identifier, dict) else None
    if not isinstance(uri, str):
        raise ActionError(f"{command} needs textDocument.uri; nothing was sent.")
    return uri


@FEATURES.command(ASK_COMMAND, what="the question", fallback=_failed)
async def ask(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    """A question about the selection (or the function at the cursor), or a follow-up in a conversation:
    ``{"answer": Markdown, "conversation": id}``; the answer streams to clients that declared answerStream."""
    from gptls.actions import ActionError, TextResult
    from gptls.actions import ask as ask_action
    from gptls.actions.base import Inputs
    from gptls.lsp.jobs import ls_range
    from gptls.pipeline import check_document, job_for

    request = _argument(args, ASK_COMMAND)
    question = _words(request, "question", ASK_COMMAND)
    await ls.until_settled()
    if isinstance(request.get("conversation"), str):
        conversation = ls.conversations.get(request["conversation"])
        if conversation is None or conversation.job is None:
            raise ActionError("That conversation is over (gptls keeps the latest 20 per workspace): ask again.")
        job, message = conversation.job, f"Follow-up question (the user's, not the file's): {question}"
    else:
        uri = _uri(request, ASK_COMMAND)
        doc, _version = document(ls, uri)
        check_document(doc, ls.settings)  # said before anything else: a secret's file is never asked about
        span = ls.units.span_from_client(doc, ls_range(request.get("range")))
        found = job_for(ask_action.ACTION, doc, span, workspace(ls, uri, Inputs(instruction=question)))
        if found is None:
            raise ActionError("Ask about a selection or a function: select code, or put the cursor in a function.")
        job, message = dataclasses.replace(found, kind="asks"), None
        conversation = ls.conversations.start(ls.workspace_key(uri), uri)
        conversation.job = job

    def streamed(delta: str) -> None:
        if ls.features.answer_stream:
            ls.protocol.notify(ANSWER_NOTIFICATION, {"conversation": conversation.id, "delta": delta})

    outcome = await run_job(ls, job, conversation=conversation, message=message, on_text=streamed, remember=False)
    assert isinstance(outcome, TextResult)
    return {"answer": outcome.markdown, "conversation": conversation.id}


@FEATURES.command(REFINE_COMMAND, what="the refinement", fallback=lambda e, _a: {"applied": False, "error": str(e)})
async def refine(ls: GptlsServer, *args: Any) -> dict[str, Any]:
    """Refine the last edit the model proposed for the document (applied, discarded or still under review):
    the model sees its earlier answer and the instruction; the result is a new reviewed edit of the same code
    as it is now."""
    from gptls.actions import ActionError, EditResult
    from gptls.actions import refine as refine_action
    from gptls.actions.base import Instruction
    from gptls.conversations import Conversation
    from gptls.lsp.code_actions import apply_outcome
    from gptls.pipeline import Job

    request = _argument(args, REFINE_COMMAND)
    uri = _uri(request, REFINE_COMMAND)
    instruction = _words(request, "instruction", REFINE_COMMAND)
    proposal = ls.pipeline.proposed.get(uri)
    if proposal is None:
        raise ActionError("gptls proposed no edit for this file since it started: run an action first.")
    doc, _version = document(ls, uri)
    target = refine_action.target_now(proposal.job.doc, proposal.outcome.edit, doc)
    job = Job(
        refine_action.ACTION,
        doc,
        target,
        f"The user's refinement (theirs, not the file's): {instruction}",
        instruction=Instruction(instruction, from_file=False),
    )
    conversation = Conversation("refine", ls.workspace_key(uri), uri, [proposal.turn])
    outcome = await run_job(ls, job, conversation=conversation)
    assert isinstance(outcome, EditResult)
    return await apply_outcome(ls, job, outcome)
