"""A code action's job in the editor: the document as the editor holds it, the workspace around it, and one run
with progress, consent and the messages that follow. Shared by the code actions and hover."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp

from gptls.lsp.documents import FastTextDocument
from gptls.text import Document

if TYPE_CHECKING:
    from collections.abc import Callable

    from gptls.actions import Action, Outcome
    from gptls.actions.base import Inputs, Workspace
    from gptls.conversations import Conversation
    from gptls.errors import GptlsError
    from gptls.lsp.server import GptlsServer
    from gptls.pipeline import Job, Reporter

log = logging.getLogger(__name__)


def document(ls: GptlsServer, uri: str) -> tuple[Document, int | None]:
    text_doc = ls.workspace.get_text_document(uri)
    if isinstance(text_doc, FastTextDocument):
        return text_doc.snapshot(), text_doc.version
    return Document(text_doc.source, text_doc.language_id or "plaintext", uri), text_doc.version


class Streamed:
    """A prose answer's progress: each piece goes to ``on_text`` (an answer view), and the progress message shows
    the answer's latest words as they come (every editor's progress line streams it), a few times a second."""

    TAIL = 80

    def __init__(self, progress: Reporter, on_text: Callable[[str], None]) -> None:
        self.progress = progress
        self.on_text = on_text
        self.text = ""
        self._last = 0.0

    def delta(self, text: str) -> None:
        self.text += text
        self.on_text(text)
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            said = " ".join(self.text.split())
            self.progress.message(said if len(said) <= self.TAIL else "…" + said[-self.TAIL :])

    def queued(self) -> None:
        self.progress.queued()

    def retrying(self, error: GptlsError, delay: float) -> None:
        self.progress.retrying(error, delay)

    def message(self, text: str) -> None:
        self.progress.message(text)


def must_review(ls: GptlsServer, action: Action, asked_by_file: bool) -> bool:
    """A rewrite is reviewed unless the user turned review off, and always when the file's text asked for it."""
    return action.review and (ls.settings.preview_edits or asked_by_file)


def reviewed_by_client(ls: GptlsServer, action: Action, asked_by_file: bool = False) -> bool:
    """The edit goes to a client that shows it for review (diff, Apply/Discard) with the model's note."""
    return must_review(ls, action, asked_by_file) and ls.features.review_edits


async def run_job(
    ls: GptlsServer,
    job: Job,
    token: lsp.ProgressToken | None = None,
    *,
    server_progress: bool = True,
    conversation: Conversation | None = None,
    message: str | None = None,
    on_text: Callable[[str], None] | None = None,
    remember: bool = True,
) -> Outcome:
    """Run one job with progress (and consent, for actions that execute code); tell the user its note.
    Progress uses the client's ``token`` when it sent one, else one gptls creates (if ``server_progress``).
    With ``conversation`` it is that conversation's next turn (``message``: a follow-up's words); ``on_text``
    hears the answer as it streams in; ``remember`` keeps an explanation as the function's hover."""
    from gptls.actions import EditResult, TextResult
    from gptls.lsp.work_done import model_progress

    await ensure_may_run_code(ls, job)
    await ls.until_settled()  # an action asked during start-up: the project index exists before its prompt
    title = job.action.short_title
    async with model_progress(ls, title, token, create=server_progress) as progress:
        reporter = progress if on_text is None else Streamed(progress, on_text)
        if conversation is None:
            outcome = await ls.pipeline.run(job, ls.settings, reporter=reporter)
        else:
            outcome = await ls.pipeline.converse(job, ls.settings, conversation, reporter, message=message)
        if isinstance(outcome, EditResult) and outcome.note:
            progress.final = outcome.note[:200]
    ls.usage_changed()
    if ls.last_error is not None:  # a call that works clears the error shown in status bars
        ls.last_error = None
        ls.send_status_soon()
    function = job.target.function
    explained = isinstance(outcome, TextResult) and job.action.remembered_as_hover and remember
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
    from gptls.actions import ActionError

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
    from gptls.actions import ActionError, find
    from gptls.actions.base import Inputs
    from gptls.pipeline import job_for

    if not isinstance(data, dict) or not isinstance(data.get("action"), str) or not isinstance(data.get("uri"), str):
        raise ActionError("This gptls action is malformed or from another version; ask for code actions again.")
    action = find(ls.settings, data["action"])
    if action is None:
        raise ActionError("This gptls action is malformed, from another version, or no longer defined; ask again.")
    doc, version = document(ls, data["uri"])
    span = ls.units.span_from_client(doc, ls_range(data.get("range")))
    job = job_for(action, doc, span, workspace(ls, doc.uri, Inputs.from_data(data)))
    if job is None:
        raise ActionError(f"{action.short_title} does not apply here any more.")
    return job, version


def workspace(ls: GptlsServer, uri: str, inputs: Inputs | None = None) -> Workspace:
    """What the editor knows beyond the document: its folder, the excludes, its open buffers."""
    from gptls.actions.base import Inputs, Workspace

    def opened(file_uri: str) -> tuple[str, int | None] | None:
        held = ls.workspace.text_documents.get(file_uri)
        return None if held is None else (held.source, held.version)

    root = unquote(urlparse(ls.workspace_key(uri)).path)
    return Workspace(root, ls.settings.exclude, opened, inputs or Inputs())


def ls_range(data: Any) -> lsp.Range:
    from gptls.actions import ActionError

    try:
        start, end = data["start"], data["end"]
        return lsp.Range(
            start=lsp.Position(line=int(start["line"]), character=int(start["character"])),
            end=lsp.Position(line=int(end["line"]), character=int(end["character"])),
        )
    except (KeyError, TypeError, ValueError):
        raise ActionError("This gptls action has no valid range; ask for code actions again.") from None
