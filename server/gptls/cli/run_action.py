"""``gptls run ACTION FILE[:LINE[-LINE]]``: any action from a terminal, on the same pipeline as the editor."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import os
import re
import sys
from dataclasses import replace
from pathlib import Path

from gptls.actions import (
    BY_ID,
    Action,
    ActionError,
    EditResult,
    FileAddition,
    TextResult,
    available,
    custom,
)
from gptls.actions.base import Inputs, NewFileText, Problem, Workspace
from gptls.cli.args import settings_from_args
from gptls.cli.colour import coloured
from gptls.cli.colour import wanted as colour_wanted
from gptls.cli.diagnostics import Diagnostic, DiagnosticsError, from_messages, read_diagnostics
from gptls.cli.progress_line import shown_while_waiting
from gptls.cli.say import say
from gptls.config import Settings
from gptls.conversations import Conversation
from gptls.conversations import Saved as Conversations
from gptls.errors import GptlsError
from gptls.exclusion import OutsideError, matching_exclude, resolve_inside
from gptls.index import IndexLimits, WorkspaceIndex
from gptls.languages import of_suffix
from gptls.pipeline import Job, Pipeline, Quiet, job_for
from gptls.targets import Target
from gptls.text import Document, Pos, Span
from gptls.text.edits import apply_to_text
from gptls.text.files import SourceFileError, read_source, write_source
from gptls.text.shown import plain


class UsageError(Exception):
    """The command line asks for something that cannot be done; nothing is sent. Exit status 2."""


def parse_target(text: str) -> tuple[Path, int | None, int | None]:
    """FILE, FILE:LINE or FILE:START-END (1-based, inclusive)."""
    match = re.fullmatch(r"(.+?):(-?\d+)(?:-(-?\d+))?", text)
    if match and not Path(text).exists():
        start = int(match.group(2))
        end = int(match.group(3)) if match.group(3) else None
        if start < 1 or (end is not None and end < 1):
            raise UsageError(f"{text}: lines start at 1.")
        if end is not None and end < start:
            raise UsageError(f"{text}: the range is reversed; give START-END with START <= END.")
        return Path(match.group(1)), start, end
    return Path(text), None, None


def target_span(doc: Document, path: Path, first: int | None, last: int | None) -> Span:
    """The span the lines name; ``UsageError`` for a line past the end of the file."""
    count = len(doc.lines) - (1 if doc.lines and doc.lines[-1] == "" and len(doc.lines) > 1 else 0)
    for line in (first, last):
        if line is not None and line > count:
            raise UsageError(f"line {line} is past the end of {path} ({count} line{'s' if count != 1 else ''}).")
    if first is None:
        return Span(Pos(0, 0), Pos(0, 0))
    if last is None:
        return Span(Pos(first - 1, 0), Pos(first - 1, 0))
    return Span(Pos(first - 1, 0), doc.clamp(Pos(last - 1, 10**9)))


def project_root(path: Path, given: str | None = None) -> str:
    """``given`` (--root), else the nearest directory above ``path`` with a pyproject.toml or a .git, else
    ``path``'s directory."""
    if given:
        return os.path.abspath(given)
    start = path.absolute().parent
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").exists() or (folder / ".git").exists():
            return str(folder)
    return str(start)


def _write_addition(tests: NewFileText, code: str) -> int:
    """Create the other file (Write tests' test file), or append to it when it did not change since the prompt
    was built."""
    target = Path(tests.path)
    try:
        if tests.existing is None:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "x", encoding="utf-8", newline="") as handle:
                handle.write(tests.addition(code))
        else:
            if target.read_text(encoding="utf-8") != tests.existing:
                say(f"gptls run: {target} changed on disk meanwhile; nothing was written.", err=True)
                return 1
            with open(target, "a", encoding="utf-8", newline="") as handle:
                handle.write(tests.addition(code))
    except OSError as exc:
        say(f"gptls run: cannot write {target}: {exc.strerror or exc}", err=True)
        return 1
    say(f"gptls run: {'created' if tests.existing is None else 'appended to'} {target}", err=True)
    return 0


class Stderr(Quiet):
    """The pipeline's Events at the command line: notices go to stderr."""

    def notice(self, message: str) -> None:
        say(message, err=True)


async def run_command(args: argparse.Namespace) -> int:
    try:
        return await _run(args)
    except UsageError as error:
        say(f"gptls run: {error}", err=True)
        return 2


def inputs_of(action: Action, args: argparse.Namespace, path: Path, first: int | None, last: int | None) -> Inputs:
    """What the command line gives the action beyond FILE:LINE; ``UsageError`` for what it does not take."""
    instruction = getattr(args, "instruction", None) or ""
    if instruction and not action.takes_instruction:
        raise UsageError(f'{action.id} takes no instruction; `gptls run instruct FILE:LINE "..."` does.')
    if not action.takes_problems:
        if args.diagnostic or args.diagnostics:
            raise UsageError(f"{action.id} takes no diagnostics; `gptls run fix FILE:LINE --diagnostic MESSAGE` does.")
        return Inputs(instruction=instruction)
    problems = tuple(
        Problem(str(d["message"]), d.get("code"), d.get("source"))
        for d in problem_list(action, args, path, first, last)
    )
    return Inputs(problems=problems, instruction=instruction)


def problem_list(
    action: Action, args: argparse.Namespace, path: Path, first: int | None, last: int | None
) -> list[Diagnostic]:
    """The problems a fix is for: ``--diagnostic`` messages and a linter's ``--diagnostics`` JSON."""
    if first is None:
        raise UsageError(
            f"{action.id} needs the line of the problem: gptls run {action.id} FILE:LINE --diagnostic MESSAGE"
        )
    end = last or first
    found = from_messages(args.diagnostic, first)
    if args.diagnostics:
        try:
            found += read_diagnostics(args.diagnostics, path, first, end)
        except DiagnosticsError as error:
            raise UsageError(f"{error}. Nothing was sent.") from None
    if not found:
        where = f"{path}:{first}" + (f"-{end}" if end != first else "")
        raise UsageError(
            f"{action.id} needs the problem: --diagnostic MESSAGE, or --diagnostics FILE.json holding one for {where}."
        )
    return found


def find_action(name: str, settings: Settings) -> Action:
    """An action by id, or a settings-defined one by its title; else a ``UsageError`` naming the closest."""
    found = BY_ID.get(name)
    if found is not None:
        return found
    custom = {_own_title(a): a for a in available(settings) if a.id not in BY_ID}
    found = next((a for title, a in custom.items() if title.lower() == name.strip().lower()), None)
    if found is not None:
        return found
    names = [*BY_ID, *custom]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(f"unknown action {name!r}; {hint}choose from {', '.join(names)}")


def _own_title(action: Action) -> str:
    return action.title.removeprefix(custom.TITLE_PREFIX)


async def _run(args: argparse.Namespace) -> int:
    settings, errors = settings_from_args(args)
    if errors:
        # A request with settings the user did not mean (another endpoint, another model) is worse than none.
        raise UsageError("; ".join(errors) + ". Nothing was sent.")
    action = find_action(args.action, settings)
    if not settings.api_key.reveal():
        raise UsageError(
            "no OpenAI API key, so nothing was sent. Set one (export OPENAI_API_KEY=sk-..., or apiKey in "
            "~/.config/gptls/config.json), or try gptls without a key: gptls --demo run "
            f"{args.action} {args.target} (canned answers, nothing leaves this machine)."
        )
    if action.runs_code and not args.allow_exec:
        raise UsageError(
            f"{action.id} runs model-written code in a sandbox to test it; pass --allow-exec to allow that."
        )
    path, first, last = parse_target(args.target)
    known = of_suffix(path.suffix)
    language = args.language or (known.id if known else "plaintext")
    try:
        # A link that leaves the directory it was named in (a repository's link to ~/.bashrc) is not followed.
        resolve_inside(str(path), str(path.absolute().parent))
    except OutsideError as error:
        raise UsageError(f"{error}.") from None
    try:
        source = read_source(path, python=language == "python" or path.suffix in (".py", ".pyi"))
    except SourceFileError as error:
        raise UsageError(str(error)) from None
    uri = path.absolute().as_uri()
    for named in (uri, source.real.as_uri()):  # a link to a secret is a secret
        pattern = matching_exclude(named, settings.exclude)
        if pattern is not None:
            raise UsageError(f"{path} matches gptls.exclude ({pattern!r}): gptls never sends it.")
    doc = Document(source.text, language, uri)
    # The same job as in the editor: the project root (--root, else the nearest pyproject.toml or .git above
    # FILE) is the workspace, where Write tests finds its test file.
    workspace = Workspace(
        project_root(path, args.root), settings.exclude, inputs=inputs_of(action, args, path, first, last)
    )
    follow_up: str = getattr(args, "follow_up", None) or ""
    if follow_up and not action.conversational:
        raise UsageError(f"{action.id} is not a conversation; --follow-up goes with ask.")
    saved = Conversations(settings.state_dir)
    conversation = saved.load(uri) if follow_up else None
    if follow_up and conversation is None:
        raise UsageError(f'there is no earlier question about {path}; ask one first: gptls run ask {path}:LINE "..."')
    try:
        job = job_for(action, doc, target_span(doc, path, first, last), workspace)
    except ActionError as error:
        raise UsageError(str(error)) from None
    if job is None and conversation is not None:  # a follow-up needs no target: the first question had one
        job = Job(action, doc, Target("selection", Span(Pos(0, 0), Pos(0, 0)), "", Span(Pos(0, 0), Pos(0, 1)), ""))
    if job is None:
        where = f"{path}:{first}" if first else str(path)
        raise UsageError(
            f"{action.short_title} does not apply at {where}; give the line of a function (or a range of lines)."
        )
    if action.runs_code:
        from gptls.sandbox import find_boundary

        boundary = await find_boundary(settings.sandbox, settings.bwrap_path or None)
        where = f"inside {boundary.describe()}" if boundary.available else f"not at all: there is {boundary.describe()}"
        say(f"gptls run: the model's code runs {where}", err=True)
    pipeline = Pipeline(events=Stderr())
    # The project's other files, for the context: indexed here, in a thread (nothing else runs meanwhile).
    if settings.index_max_files:
        index = WorkspaceIndex([workspace.root], settings.exclude, IndexLimits(max_files=settings.index_max_files))
        await asyncio.to_thread(index.build_now)
        pipeline.index = index
    try:
        async with shown_while_waiting(action.id, settings.model) as progress:
            if action.conversational:
                conversation = conversation or Conversation("cli", workspace.root, uri)
                question = f"Follow-up question (the user's, not the file's): {follow_up}" if follow_up else None
                outcome = await pipeline.converse(
                    replace(job, kind="asks"), settings, conversation, progress, message=question
                )
                saved.keep(conversation)
            else:
                outcome = await pipeline.run(job, settings, reporter=progress)
    except (GptlsError, ActionError) as error:
        say(f"gptls run: {error}", err=True)
        return 1
    finally:
        if args.show_prompt and pipeline.last_request is not None:
            say(pipeline.last_request.render(), err=True)
        await pipeline.aclose()
    # Everything printed is the model's text: no escape sequence reaches the terminal.
    if isinstance(outcome, TextResult):
        say(outcome.plain)
        return 0
    if isinstance(outcome, FileAddition):
        if not args.apply:
            say(outcome.code)
            return 0
        return _write_addition(outcome.destination(workspace), outcome.code)
    assert isinstance(outcome, EditResult)
    new_text = apply_to_text(doc, outcome.edit)
    if args.apply:
        try:
            write_source(source, new_text)
        except SourceFileError as error:
            say(f"gptls run: {error}", err=True)
            return 1
        say(f"gptls run: applied {action.id} to {path}", err=True)
    else:
        diff = difflib.unified_diff(
            doc.text.splitlines(keepends=True), new_text.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
        shown = (plain(line) for line in diff)
        sys.stdout.writelines(coloured(shown) if colour_wanted(getattr(args, "color", "auto"), sys.stdout) else shown)
    if outcome.note:
        say(f"gptls run: {outcome.note}", err=True)
    if action.runs_code and not (outcome.verdict is not None and outcome.verdict.trusted):
        return 3  # applied or printed, but the tests did not pass (or none ran): scripts can tell
    return 0
