"""A minimal editor around pytest-lsp's client: it owns buffers, applies edits and checks versions.

The server runs as a subprocess over stdio (``python -m gptls``) pointed at the Responses double. What the
tests assert on is what this editor's buffers hold: the text a user would see.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Union

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.double.server import ResponsesDouble, child_env
from tests.e2e.interpreter import SERVER_COMMAND


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, as LSP counts lines: they end at \\n, \\r\\n or \\r only."""
    spans = []
    start = index = 0
    while index < len(text):
        if text[index] in "\r\n":
            spans.append((start, index))
            index += 2 if text.startswith("\r\n", index) else 1
            start = index
        else:
            index += 1
    spans.append((start, len(text)))
    return spans


def utf16_offset(text: str, position: lsp.Position, encoding: str = "utf-16") -> int:
    """Offset into ``text`` of an LSP position; a character past the end of its line means the end."""
    spans = line_spans(text)
    if position.line >= len(spans):
        return len(text)
    start, end = spans[position.line]
    units = 0
    for index in range(start, end):
        if units >= position.character:
            return index
        char = text[index]
        if encoding == "utf-8":
            units += len(char.encode("utf-8"))
        elif encoding == "utf-32":
            units += 1
        else:
            units += 2 if ord(char) > 0xFFFF else 1
    return end


def position_of(text: str, needle: str, *, after: bool = False, encoding: str = "utf-16") -> lsp.Position:
    """The LSP position of the first ``needle`` in ``text`` (its end when ``after``)."""
    offset = text.index(needle) + (len(needle) if after else 0)
    spans = line_spans(text)
    line = next(i for i, (start, end) in enumerate(spans) if start <= offset <= end)
    prefix = text[spans[line][0] : offset]
    if encoding == "utf-8":
        character = len(prefix.encode("utf-8"))
    elif encoding == "utf-32":
        character = len(prefix)
    else:
        character = len(prefix.encode("utf-16-le")) // 2
    return lsp.Position(line=line, character=character)


class Editor:
    def __init__(self, client: LanguageClient, double: ResponsesDouble, encoding: str = "utf-16") -> None:
        self.client = client
        self.double = double
        self.encoding = encoding
        self.buffers: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.applied: list[lsp.ApplyWorkspaceEditParams] = []
        self.rejected: list[str] = []
        self.created: list[str] = []
        self.before_apply: Any = None  # a hook: lets a test type while the edit is in flight
        self.answer_apply: Any = None  # a hook: answers workspace/applyEdit instead of applying (a Discard)
        self.prompts: list[lsp.ShowMessageRequestParams] = []
        self.prompt_answer: str | None = "Allow once"  # what the user clicks in window/showMessageRequest
        self.statuses: list[Any] = []  # gptls/status notifications (what a status bar shows)

    # -- buffers ------------------------------------------------------------------------------------

    def open(self, name: str, text: str, language: str = "python") -> str:
        return self.open_uri(Path("/tmp/gptls-e2e", name).as_uri(), text, language)

    def open_uri(self, uri: str, text: str, language: str = "python") -> str:
        self.buffers[uri] = text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
            )
        )
        return uri

    def type(self, uri: str, start: lsp.Position, end: lsp.Position, new_text: str) -> None:
        """An incremental change, as an editor sends while the user types."""
        text = self.buffers[uri]
        a, b = utf16_offset(text, start, self.encoding), utf16_offset(text, end, self.encoding)
        self.buffers[uri] = text[:a] + new_text + text[b:]
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[
                    lsp.TextDocumentContentChangePartial(range=lsp.Range(start=start, end=end), text=new_text)
                ],
            )
        )

    def insert(self, uri: str, position: lsp.Position, new_text: str) -> None:
        self.type(uri, position, position, new_text)

    def pos(self, uri: str, needle: str, *, after: bool = False) -> lsp.Position:
        return position_of(self.buffers[uri], needle, after=after, encoding=self.encoding)

    def range_of(self, uri: str, needle: str) -> lsp.Range:
        return lsp.Range(start=self.pos(uri, needle), end=self.pos(uri, needle, after=True))

    def cursor(self, uri: str, needle: str) -> lsp.Range:
        at = self.pos(uri, needle)
        return lsp.Range(start=at, end=at)

    # -- applying edits, as an editor does ---------------------------------------------------------

    def apply(self, edit: lsp.WorkspaceEdit) -> tuple[bool, str | None]:
        planned: list[tuple[str, list[lsp.TextEdit]]] = []
        for change in edit.document_changes or []:
            if isinstance(change, lsp.CreateFile):
                if change.uri not in self.buffers:
                    self.created.append(change.uri)
                    self.open_uri(change.uri, "")  # a real editor opens the file it created
                continue
            assert isinstance(change, lsp.TextDocumentEdit), change
            uri, version = change.text_document.uri, change.text_document.version
            if version is not None and version != self.versions[uri]:
                self.rejected.append(uri)
                return False, f"version {version} is stale (buffer at {self.versions[uri]})"
            planned.append((uri, [e for e in change.edits if isinstance(e, lsp.TextEdit | lsp.AnnotatedTextEdit)]))
        for uri, edits in (edit.changes or {}).items():
            planned.append((uri, list(edits)))
        for uri, edits in planned:
            text = self.buffers[uri]
            spans = sorted(
                (
                    (
                        utf16_offset(text, e.range.start, self.encoding),
                        utf16_offset(text, e.range.end, self.encoding),
                        e.new_text,
                    )
                    for e in edits
                ),
                reverse=True,
            )
            for a, b, new in spans:
                text = text[:a] + new + text[b:]
            # The editor tells the server about its own edit, as real editors do.
            self.replace_all(uri, text)
        return True, None

    def replace_all(self, uri: str, text: str) -> None:
        """Set the whole buffer and tell the server (a full-document didChange)."""
        self.buffers[uri] = text
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    # -- requests -----------------------------------------------------------------------------------

    async def actions(self, uri: str, rng: lsp.Range) -> list[lsp.CodeAction]:
        result = await self.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                range=rng,
                context=lsp.CodeActionContext(diagnostics=[]),
            )
        )
        return [a for a in result or [] if isinstance(a, lsp.CodeAction)]

    async def action(self, uri: str, rng: lsp.Range, action_id: str) -> lsp.CodeAction:
        for candidate in await self.actions(uri, rng):
            if candidate.data and candidate.data.get("action") == action_id:
                return candidate
        raise AssertionError(f"{action_id} was not offered")

    async def run(self, uri: str, rng: lsp.Range, action_id: str) -> Any:
        """Pick an action the way this client would: resolve it, or execute its command."""
        chosen = await self.action(uri, rng, action_id)
        if chosen.command is None:
            resolved = await self.client.code_action_resolve_async(chosen)
            if resolved.edit is not None:
                ok, reason = self.apply(resolved.edit)
                assert ok, reason
            if resolved.command is not None:  # LSP: an action's command runs after its edit
                await self.execute(resolved.command)
            return resolved
        return await self.execute(chosen.command)

    async def execute(self, command: lsp.Command) -> Any:
        return await self.client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command=command.command, arguments=command.arguments)
        )

    async def completion_stats(self) -> dict[str, Any]:
        """The completer's counts (calls, joined, queued...) as the usage command reports them: a sync point
        the server itself states, where message order alone says nothing about an async handler's progress."""
        report = await self.execute(lsp.Command(title="usage", command="gptls.usage"))
        return report["completionStats"]

    async def hover(self, uri: str, position: lsp.Position) -> lsp.Hover | None:
        return await self.client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=position)
        )

    def inline_params(
        self,
        uri: str,
        position: lsp.Position,
        *,
        invoked: bool = False,
        selected: lsp.SelectedCompletionInfo | None = None,
    ) -> lsp.InlineCompletionParams:
        kind = lsp.InlineCompletionTriggerKind.Invoked if invoked else lsp.InlineCompletionTriggerKind.Automatic
        return lsp.InlineCompletionParams(
            context=lsp.InlineCompletionContext(trigger_kind=kind, selected_completion_info=selected),
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=position,
        )

    async def inline(
        self,
        uri: str,
        position: lsp.Position,
        *,
        invoked: bool = False,
        selected: lsp.SelectedCompletionInfo | None = None,
    ) -> list[lsp.InlineCompletionItem]:
        """Ghost text at ``position``, asked for as an editor does (automatic: the user typed); ``selected``: the
        item selected in the editor's open suggest widget."""
        result = await self.client.text_document_inline_completion_async(
            self.inline_params(uri, position, invoked=invoked, selected=selected)
        )
        if result is None:
            return []
        return list(result.items if isinstance(result, lsp.InlineCompletionList) else result)

    def end_of(self, uri: str) -> lsp.Position:
        lines = self.buffers[uri].split("\n")
        return lsp.Position(line=len(lines) - 1, character=len(lines[-1]))

    def messages(self) -> list[str]:
        return [m.message for m in self.client.messages]

    async def until(self, predicate: Any, method: str = lsp.WINDOW_SHOW_MESSAGE, limit: float = 10.0) -> None:
        """Wait until ``predicate()`` holds, re-checking each time a ``method`` notification arrives."""
        async with asyncio.timeout(limit):
            while not predicate():
                await self.client.wait_for_notification(method)

    async def synced(self, uri: str) -> None:
        """Returns once the server has processed every notification sent before (LSP keeps order)."""
        await self.actions(
            uri, lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))
        )


CAPABILITIES = {
    "vscode": "visual-studio-code",
    "neovim": "neovim@v0.11.0",
    "emacs": "emacs",
}


async def start_editor(
    double: ResponsesDouble,
    *,
    client: str = "vscode",
    init_options: dict[str, Any] | None = None,
    configuration: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    capabilities: lsp.ClientCapabilities | None = None,
    server_args: list[str] | None = None,
    command: list[str] | None = None,
    root: str = "/tmp/gptls-e2e",
) -> Editor:
    server_env = child_env(double.env(), **(env or {}))
    config = ClientServerConfig(
        server_command=[*(command or SERVER_COMMAND), "--log-level", "DEBUG", *(server_args or [])],
        server_env=server_env,
    )
    lsp_client = await config.start()
    assert isinstance(lsp_client, LanguageClient)
    caps = capabilities or client_capabilities(CAPABILITIES.get(client, client))
    encoding = "utf-16"
    if caps.general and caps.general.position_encodings and "utf-8" in caps.general.position_encodings:
        encoding = "utf-8"
    _fix_code_action_union(lsp_client)
    editor = Editor(lsp_client, double, encoding)
    if configuration is not None:
        lsp_client.set_configuration(configuration, section="gptls")

    @lsp_client.feature(lsp.WORKSPACE_APPLY_EDIT)
    async def apply_edit(params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        if editor.before_apply is not None:
            editor.before_apply()
        if editor.answer_apply is not None:
            return editor.answer_apply(params)
        ok, reason = editor.apply(params.edit)
        editor.applied.append(params)
        return lsp.ApplyWorkspaceEditResult(applied=ok, failure_reason=reason)

    @lsp_client.feature("gptls/status")
    def status(params: Any) -> None:
        editor.statuses.append(params)

    @lsp_client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def message_request(params: lsp.ShowMessageRequestParams) -> lsp.MessageActionItem | None:
        editor.prompts.append(params)
        return None if editor.prompt_answer is None else lsp.MessageActionItem(title=editor.prompt_answer)

    result = await lsp_client.initialize_session(
        lsp.InitializeParams(capabilities=caps, initialization_options=init_options, root_uri=Path(root).as_uri())
    )
    assert result.server_info is not None and result.server_info.name == "gptls"
    editor.encoding = str(result.capabilities.position_encoding or "utf-16")
    return editor


def _fix_code_action_union(client: LanguageClient) -> None:
    """lsprotocol structures a CodeAction that carries a ``command`` object as a bare Command.

    Real editors read the JSON themselves; this test client must too, or it would drop such actions.
    """
    converter = client.protocol._converter

    def structure(obj: Any, _type: Any) -> Any:
        if isinstance(obj, dict) and isinstance(obj.get("command"), str):
            return converter.structure(obj, lsp.Command)
        return converter.structure(obj, lsp.CodeAction)

    converter.register_structure_hook(lsp.Command | lsp.CodeAction, structure)
    converter.register_structure_hook(Union[lsp.Command, lsp.CodeAction], structure)  # noqa: UP007


async def stop_editor(editor: Editor) -> None:
    try:
        await asyncio.wait_for(editor.client.shutdown_session(), 10)
    finally:
        await editor.client.stop()
