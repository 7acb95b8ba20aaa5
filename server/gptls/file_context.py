"""The bounded prompt context sent with a target: imports, the enclosing class header, nearby signatures.

Never the whole file: only lines that name what the target can use, within ``contextBudget`` characters.
"""

from __future__ import annotations

import re

from gptls.targets import Target
from gptls.targets.generic import HEADER
from gptls.text import Document

_IMPORT = re.compile(
    r"^\s*(?:import\s|from\s+\S+\s+import\s|#include\s|use\s|using\s|package\s|require\s*\(|"
    r"(?:const|let|var)\s+\w+\s*=\s*require\(|@import\s|library\(|extern\s+crate\s)"
)
_CLASS = re.compile(
    r"^\s*(?:export\s+)?(?:(?:public|private|abstract|final|data|sealed)\s+)*"
    r"(?:class|struct|impl|interface|trait|enum|module|object)\b"
)


def build_context(doc: Document, target: Target, budget: int) -> str:
    """Imports, the enclosing class header and nearby signatures, nearest first, within ``budget`` chars.

    Never the whole file: only lines that name what the target can use.
    """
    if budget <= 0:
        return ""
    skip = range(target.anchor.start.line, target.anchor.end.line + 1)
    import_lines, class_lines, signature_lines = _quotable(doc)
    imports = [i for i in import_lines if i not in skip]
    enclosing: list[int] = []
    base_indent = len(target.indent)
    for i in range(target.anchor.start.line - 1, -1, -1):
        text = doc.line(i)
        stripped = text.lstrip()
        if stripped and len(text) - len(stripped) < base_indent and i in class_lines:
            enclosing.insert(0, i)
            base_indent = len(text) - len(stripped)
        if base_indent == 0:
            break
    window = 1500
    low = max(0, target.anchor.start.line - window)
    high = min(len(doc.lines), target.anchor.end.line + window)
    signatures = [i for i in signature_lines if low <= i < high and i not in skip and i not in enclosing]
    signatures.sort(key=lambda i: abs(i - target.anchor.start.line))
    chosen: list[int] = []
    used = 0
    for i in imports + enclosing + signatures:
        text = doc.line(i)
        if len(text) > 400:
            continue
        cost = len(f"{i + 1}: {text}") + 1
        if used + cost > budget:
            if i in imports:
                continue
            break
        chosen.append(i)
        used += cost
    return "\n".join(f"{i + 1}: {doc.line(i)}" for i in sorted(set(chosen)))


def _quotable(doc: Document) -> tuple[list[int], set[int], list[int]]:
    """The document's import lines (in its first 400), class headers and function or class headers: found
    once per text (``Document.memo``), so a burst of hovers on one file scans it once."""
    found = doc.memo.get("context.quotable")
    if found is None:
        lines = doc.lines
        imports = [i for i in range(min(len(lines), 400)) if _IMPORT.match(lines[i])]
        classes = {i for i, line in enumerate(lines) if _CLASS.match(line)}
        signatures = [i for i, line in enumerate(lines) if i in classes or HEADER.match(line)]
        found = doc.memo["context.quotable"] = (imports, classes, signatures)
    return found
