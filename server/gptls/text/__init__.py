"""Text: one document model (lines, positions, encodings), edits and re-anchoring, files on disk."""

from gptls.text.document import Document, Pos, Span, split_lsp_lines

__all__ = ["Document", "Pos", "Span", "split_lsp_lines"]
