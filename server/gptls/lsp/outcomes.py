"""An action's outcome as the editor applies it: a versioned WorkspaceEdit of the document as it is now (or
nothing, and a message, when the code changed under the model), or a file created or appended to."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from gptls.lsp.jobs import document, must_review, workspace
from gptls.text import Document, Pos, Span

if TYPE_CHECKING:
    from gptls.actions import EditResult, FileAddition
    from gptls.lsp.server import GptlsServer
    from gptls.pipeline import Job
    from gptls.text.edits import PlannedEdit

log = logging.getLogger(__name__)


def outcome_edit(ls: GptlsServer, job: Job, outcome: EditResult | FileAddition) -> lsp.WorkspaceEdit | None:
    from gptls.actions import FileAddition

    if isinstance(outcome, FileAddition):
        return file_addition_edit(ls, job, outcome)
    return ls_workspace_edit(ls, job, outcome.edit, outcome.note)


def file_addition_edit(ls: GptlsServer, job: Job, outcome: FileAddition) -> lsp.WorkspaceEdit:
    """One versioned workspace edit: create the other file with the code, or append it to it (the file as it is
    now: the open buffer wins over the disk)."""
    from gptls.actions import ActionError

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
    from gptls.text.edits import relocate, to_workspace_edit

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


def written(edit: lsp.WorkspaceEdit) -> str:
    """The file a Write tests edit creates or appends to."""
    for change in edit.document_changes or []:
        if isinstance(change, lsp.CreateFile):
            return change.uri
        if isinstance(change, lsp.TextDocumentEdit):
            return change.text_document.uri
    return ""
