"""What the client said it can do at ``initialize``, read once."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp


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
    # gptls' VS Code extension (experimental.gptls.answerStream): an ask's answer streams to its view.
    answer_stream: bool = False


def client_features(caps: lsp.ClientCapabilities) -> ClientFeatures:
    code_action = caps.text_document.code_action if caps.text_document else None
    resolve = code_action.resolve_support if code_action else None
    return ClientFeatures(
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
        answer_stream=_experimental(caps, "answerStream"),
        change_annotations=bool(
            code_action
            and code_action.honors_change_annotations
            and caps.workspace
            and caps.workspace.workspace_edit
            and caps.workspace.workspace_edit.document_changes
            and caps.workspace.workspace_edit.change_annotation_support
        ),
    )


def _experimental(caps: lsp.ClientCapabilities, name: str) -> bool:
    """A capability gptls' own clients declare under ``experimental.gptls``."""
    experimental = caps.experimental if isinstance(caps.experimental, dict) else {}
    ours = experimental.get("gptls")
    return isinstance(ours, dict) and ours.get(name) is True
