"""Open documents, kept in sync with the editor's edits cheaply and with LSP's idea of a line.

pygls applies an incremental change by walking every line of the document in Python (about a millisecond
per keystroke in a 10,000-line file) and splits lines with ``str.splitlines``, which also breaks at form
feeds and \\u2028, so positions after them disagree with the client. Here the document keeps its lines,
a change replaces only the lines it touches, and lines end only at \\n, \\r\\n and \\r.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace

from gptls.text import Document, split_lsp_lines
from gptls.text.positions import ClientUnits


class FastTextDocument(TextDocument):
    _cached_lines: list[str] | None = None
    _text: str | None = None
    _snapshot: Document | None = None  # gptls' view of this text, made once per change

    def snapshot(self) -> Document:
        """The text as a gptls ``Document``; the same object until the text changes, so a burst of hovers
        splits lines and scans for context once."""
        if self._snapshot is None:
            self._snapshot = Document(self.source, self.language_id or "plaintext", self.uri)
        return self._snapshot

    @property
    def _source(self) -> str | None:
        if self._text is None and self._cached_lines is not None:
            self._text = "".join(self._cached_lines)
        return self._text

    @_source.setter
    def _source(self, value: str | None) -> None:
        self._text = value
        self._cached_lines = None
        self._snapshot = None

    @property
    def lines(self) -> Sequence[str]:
        if self._cached_lines is None:
            self._cached_lines = split_lsp_lines(self.source)
        return self._cached_lines

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        lines = self.lines
        assert isinstance(lines, list)
        if not lines:
            self._source = change.text
            return
        count = len(lines)
        start, end = sorted(
            (self._server_position(lines, change.range.start), self._server_position(lines, change.range.end))
        )
        (first, start_char), (last, end_char) = start, end
        before = lines[first][:start_char] if first < count else ""
        after = lines[last][end_char:] if last < count else ""
        # Re-split with one neighbouring line on each side: a "\r" and a "\n" that meet at the edge of the
        # change become one line break, as they are for the client.
        low, high = max(first - 1, 0), min(last + 1, count - 1)
        segment = "".join(lines[low:first]) + before + change.text + after + "".join(lines[last + 1 : high + 1])
        lines[low : high + 1] = split_lsp_lines(segment)
        self._text = None
        self._snapshot = None

    def _server_position(self, lines: list[str], position: types.Position) -> tuple[int, int]:
        """(line, code point) for a client position; a character past the end means the end of the line
        (as LSP says; pygls' codec answers 0)."""
        if position.line >= len(lines):
            return len(lines), 0
        encoding = self._position_codec.encoding
        units = ClientUnits(str(getattr(encoding, "value", encoding)))
        return position.line, units.column_from_client(lines[position.line].rstrip("\r\n"), position.character)


class FastWorkspace(Workspace):
    """pygls' Workspace holding FastTextDocuments."""

    @classmethod
    def like(cls, workspace: Workspace) -> FastWorkspace:
        """A FastWorkspace with the root, folders, sync kind and encoding of the one pygls made at initialize
        (before any document is open)."""
        return cls(
            workspace.root_uri,
            workspace._sync_kind,
            list(workspace.folders.values()),
            workspace.position_encoding,
        )

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return FastTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )
