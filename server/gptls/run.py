"""``gptls run ACTION FILE[:LINE[-LINE]]``: any action from a terminal, on the same pipeline as the editor."""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from pathlib import Path

from gptls.actions import BY_ID, ActionError, EditResult, TextResult
from gptls.config import Settings
from gptls.context import Document, Pos, Span
from gptls.edits import apply_to_text
from gptls.openai.errors import GptlsError
from gptls.pipeline import Pipeline, job_at

LANGUAGES = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".tsx": "typescriptreact",
    ".jsx": "javascriptreact",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".php": "php",
    ".kt": "kotlin",
    ".swift": "swift",
    ".lua": "lua",
    ".sh": "shellscript",
    ".sql": "sql",
    ".scala": "scala",
    ".hs": "haskell",
    ".ex": "elixir",
    ".exs": "elixir",
    ".r": "r",
    ".jl": "julia",
}


def parse_target(text: str) -> tuple[Path, int | None, int | None]:
    """FILE, FILE:LINE or FILE:START-END (1-based, inclusive)."""
    match = re.fullmatch(r"(.+?):(\d+)(?:-(\d+))?", text)
    if match and not Path(text).exists():
        start = int(match.group(2))
        end = int(match.group(3)) if match.group(3) else None
        return Path(match.group(1)), start, end
    return Path(text), None, None


async def run_command(args: argparse.Namespace) -> int:
    from gptls.cli import settings_from_args

    action = BY_ID.get(args.action)
    if action is None:
        print(f"gptls run: unknown action {args.action!r}; choose from {', '.join(BY_ID)}", file=sys.stderr)
        return 2
    if action.runs_code and not args.allow_exec:
        print(
            f"gptls run: {action.id} runs model-written code in a sandbox to test it; pass --allow-exec to allow that.",
            file=sys.stderr,
        )
        return 2
    path, first, last = parse_target(args.target)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        print(f"gptls run: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    text = raw.decode("utf-8", errors="replace")
    settings, errors = settings_from_args(args)
    assert isinstance(settings, Settings)
    for error in errors:
        print(f"gptls run: {error}", file=sys.stderr)
    language = args.language or LANGUAGES.get(path.suffix.lower(), "plaintext")
    doc = Document(text, language, path.resolve().as_uri())
    if first is None:
        span = Span(Pos(0, 0), Pos(0, 0))
    elif last is None:
        span = Span(Pos(first - 1, 0), Pos(first - 1, 0))
    else:
        span = Span(Pos(first - 1, 0), doc.clamp(Pos(last - 1, 10**9)))
    job = job_at(action, doc, span)
    if job is None:
        where = f"{path}:{first}" if first else str(path)
        print(
            f"gptls run: {action.title.removeprefix('gptls: ')} does not apply at {where}; "
            "give the line of a function (or a range of lines).",
            file=sys.stderr,
        )
        return 2
    pipeline = Pipeline()
    try:
        outcome = await pipeline.run(job, settings)
    except (GptlsError, ActionError) as error:
        print(f"gptls run: {error}", file=sys.stderr)
        return 1
    finally:
        await pipeline.aclose()
    if isinstance(outcome, TextResult):
        print(outcome.markdown)
        return 0
    assert isinstance(outcome, EditResult)
    new_text = apply_to_text(doc, outcome.edit)
    if args.apply:
        tmp = path.with_name(f".{path.name}.gptls-tmp")
        tmp.write_bytes(new_text.encode("utf-8"))
        os.replace(tmp, path)  # atomic: the file is either old or new, never half-written
        print(f"gptls run: applied {action.id} to {path}", file=sys.stderr)
    else:
        diff = difflib.unified_diff(
            text.splitlines(keepends=True), new_text.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
        sys.stdout.writelines(diff)
    if outcome.note:
        print(f"gptls run: {outcome.note}", file=sys.stderr)
    if action.runs_code and not outcome.note.startswith("tests passed"):
        return 3  # applied or printed, but the tests did not pass: scripts can tell
    return 0
