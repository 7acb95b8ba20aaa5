"""Inline completions under real typing: how many calls, how many wasted, how much typing saved, what it costs.

``python -m bench.typing [--quick] [--debounce MS]`` fetches real projects from the package registry (the cache
of ``bench.context``), picks functions at random (seeded) and types each body into its file, character by
character, as a person would: 60 ms a character, a pause at each line end (after the editor's auto-indent).
Requests are sent as VS Code sends them: one ``textDocument/inlineCompletion`` per change, the previous one
cancelled. The backend (the Responses double, over HTTP) answers after 400 ms with the real continuation: the
rest of the line, or the next lines where the cursor starts one (a perfect model: the keystrokes saved are
an upper bound). A suggestion that matches what comes next is accepted at once (Tab); one that does not is
ignored and the typing goes on. Reported: backend calls per 100 characters of code (a naive server calls on
every change), calls abandoned after they were sent, keystrokes saved, server-added latency (the answer's
time minus the pause wait and the backend's own time), calls per pause, suggestions served by typing along,
cancellation (abandoned call closed), the cost of an hour of this typing at gpt-5-mini prices and the share of
input tokens served from the prompt cache (the double reports ``cached_tokens`` as OpenAI does).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from tests.double import replies
from tests.double.server import Received, ResponsesDouble, child_env

from bench.context import PROJECTS, fetch
from bench.run import answer_client_requests

SEED = 20261202
CHAR_SECONDS = 0.060
PAUSE_SECONDS = 0.9
BACKEND_SECONDS = 0.4
ALONG_CHARS = 3  # characters typed along a shown suggestion before it is accepted
CURSOR = "<|cursor|>"


@dataclass
class Case:
    path: Path
    before: str  # the file up to the body's first line (its indentation included)
    body: str  # what gets typed
    after: str  # the file after the body


@dataclass
class Sent:
    at: float
    version: int
    invoked: bool
    cancelled: bool = False
    answered_at: float | None = None
    items: list[lsp.InlineCompletionItem] = field(default_factory=list)
    shown: bool = False  # an answer with a suggestion came back


def pick(root: Path, count: int, rng: random.Random) -> list[Case]:
    import ast

    found: list[Case] = []
    files = sorted(p for p in root.rglob("*.py") if "test" not in p.name)
    candidates = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and 3 <= len(node.body) <= 10:
                candidates.append((path, text, node))
    rng.shuffle(candidates)
    for path, text, node in candidates:
        if len(found) >= count:
            break
        body = (
            node.body[1:]
            if isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
            else node.body
        )
        if not body:
            continue
        lines = text.split("\n")
        first, last = body[0].lineno - 1, (body[-1].end_lineno or body[-1].lineno) - 1
        typed = "\n".join(lines[first : last + 1])
        if not 80 <= len(typed) <= 600 or "\t" in typed:
            continue
        indent = re.match(r"[ ]*", lines[first]).group(0)  # type: ignore[union-attr]
        before = "\n".join(lines[:first]) + "\n" + indent
        found.append(Case(path, before, typed[len(indent) :], "\n" + "\n".join(lines[last + 1 :])))
    return found


def continuation(truth: dict[str, str], request: Received) -> Any:
    """The real text after the cursor: the rest of the line, or (at a line start) the next lines, up to 3."""
    prompt = str(request.body.get("input", ""))
    window = prompt.split("<<<file\n", 1)[-1].split(CURSOR, 1)[0]
    for text in truth.values():
        at = text.find(window)
        if at < 0:
            continue
        rest = text[at + len(window) :]
        typed_line = window.rsplit("\n", 1)[-1]
        if typed_line.strip():
            return replies.text(rest.split("\n", 1)[0] or " ").then(delay=BACKEND_SECONDS)
        return replies.text("\n".join(rest.split("\n")[:3]) or " ").then(delay=BACKEND_SECONDS)
    return replies.text("pass").then(delay=BACKEND_SECONDS)


def _range(raw: Any) -> lsp.Range | None:
    if not raw:
        return None
    start, end = raw["start"], raw["end"]
    return lsp.Range(
        start=lsp.Position(line=start["line"], character=start["character"]),
        end=lsp.Position(line=end["line"], character=end["character"]),
    )


class Typist:
    """Types one body into an open document as an editor user does, sending requests as VS Code does."""

    def __init__(self, client: LanguageClient, uri: str, text: str) -> None:
        self.client, self.uri, self.text = client, uri, text
        self.version = 1
        self.sent: list[Sent] = []
        self.pending: asyncio.Future[Any] | None = None
        self.pending_sent: Sent | None = None
        self.pending_id = ""
        self.typed = self.accepted = 0
        self.pauses: list[tuple[float, float]] = []
        self.cancels: list[float] = []

    def _position(self) -> lsp.Position:
        lines = self.text.split("\n")
        return lsp.Position(line=len(lines) - 1, character=len(lines[-1]))

    def change(self, insert: str) -> None:
        at = self._position()
        self.text += insert
        self.version += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(start=at, end=at), text=insert)],
            )
        )
        self.request()

    def request(self) -> None:
        if self.pending is not None and not self.pending.done():
            assert self.pending_sent is not None
            self.pending_sent.cancelled = True
            self.cancels.append(time.monotonic())
            # As VS Code does: $/cancelRequest (the answer, an error or a late result, is ignored).
            self.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=self.pending_id))
        params = lsp.InlineCompletionParams(
            context=lsp.InlineCompletionContext(trigger_kind=lsp.InlineCompletionTriggerKind.Automatic),
            text_document=lsp.TextDocumentIdentifier(uri=self.uri),
            position=self._position(),
        )
        sent = Sent(time.monotonic(), self.version, False)
        self.sent.append(sent)
        self.pending_id = f"inline-{len(self.sent)}-{self.uri}"
        future = asyncio.ensure_future(
            self.client.protocol.send_request_async(lsp.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id=self.pending_id)
        )

        def done(f: asyncio.Future[Any], sent: Sent = sent) -> None:
            if f.cancelled() or f.exception() is not None:
                return
            sent.answered_at = time.monotonic()
            result = f.result()
            if isinstance(result, dict):  # pytest-lsp leaves a raw request's answer unstructured
                result = result.get("items") or []
            elif isinstance(result, lsp.InlineCompletionList):
                result = result.items
            sent.items = [
                lsp.InlineCompletionItem(insert_text=i["insertText"], range=_range(i.get("range")))
                if isinstance(i, dict)
                else i
                for i in (result or [])
            ]
            sent.shown = bool(sent.items)

        future.add_done_callback(done)
        self.pending, self.pending_sent = future, sent

    async def wait(self, seconds: float, remaining: str) -> str | None:
        """Wait ``seconds`` as the user would; returns the suggestion when one matching ``remaining`` shows."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            future, sent = self.pending, self.pending_sent
            if future is not None and not future.done() and left > 0:
                await asyncio.wait({future}, timeout=left)
            elif left > 0:
                await asyncio.sleep(left)
            fresh = sent is not None and not sent.cancelled and sent.version == self.version
            if sent is not None and fresh and sent.answered_at is not None and sent.items:
                item = sent.items[0]
                shown = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
                insertion = item.range is None or item.range.start == item.range.end
                if insertion and shown and remaining.startswith(shown):
                    sent.items = []
                    return shown
            if time.monotonic() >= deadline:
                return None

    async def type_body(self, body: str) -> None:
        i = 0
        while i < len(body):
            char = body[i]
            if char == "\n":
                indent = re.match(r"[ ]*", body[i + 1 :]).group(0)  # type: ignore[union-attr]
                self.change("\n" + indent)  # Enter, and the editor's auto-indent
                i += 1 + len(indent)
                self.typed += 1
                start = time.monotonic()
                suggestion = await self.wait(PAUSE_SECONDS, body[i:])
                self.pauses.append((start, time.monotonic()))
            else:
                self.change(char)
                i += 1
                self.typed += 1
                suggestion = await self.wait(CHAR_SECONDS, body[i:])
            if suggestion is not None:
                # The user reads it while typing a few more characters (served by typing along), then Tab.
                for _ in range(min(ALONG_CHARS, len(suggestion) - 1)):
                    if body[i] == "\n":
                        break
                    self.change(body[i])
                    i += 1
                    self.typed += 1
                    suggestion = await self.wait(CHAR_SECONDS, body[i:])
                    if suggestion is None:
                        break
                if suggestion is not None:
                    self.change(suggestion)  # Tab
                    i += len(suggestion)
                    self.accepted += len(suggestion)
                    await self.wait(CHAR_SECONDS, body[i:])
        if self.pending is not None and not self.pending.done():
            await asyncio.wait({self.pending}, timeout=5)


async def replay(cases: list[Case], root: Path, debounce_ms: int) -> dict[str, Any]:
    double = ResponsesDouble().start()
    double.validate_answers = False
    truth = {str(c.path): c.before + c.body + c.after for c in cases}
    double.responder = lambda request: continuation(truth, request)
    env = child_env(double.env())
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "gptls", "--log-level", "WARNING"], server_env=env
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    answer_client_requests(client)
    caps = client_capabilities("visual-studio-code")
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=caps,
            root_uri=root.as_uri(),
            initialization_options={"completionDebounceMs": debounce_ms},
        )
    )
    typists: list[Typist] = []
    started = time.monotonic()
    for case in cases:
        uri = case.path.as_uri()
        text = case.before + case.after
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        # The typist keeps the text up to the cursor; the rest of the file follows it unchanged.
        typist = Typist(client, uri, case.before)
        await typist.type_body(case.body)
        typists.append(typist)
        client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        )
    seconds = time.monotonic() - started
    report = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="gptls.usage", arguments=[]))
    await client.shutdown_session()
    double.stop()
    return summarize(typists, double.requests, report, seconds, debounce_ms)


def summarize(
    typists: list[Typist], calls: list[Received], report: dict[str, Any], seconds: float, debounce_ms: int
) -> dict[str, Any]:
    sent = [s for t in typists for s in t.sent]
    chars = sum(t.typed + t.accepted for t in typists)
    abandoned = [c for c in calls if c.aborted_at is not None]
    added: list[float] = []
    for s in sent:
        if s.cancelled or s.answered_at is None or not s.shown:
            continue
        total = s.answered_at - s.at
        backing = [c for c in calls if s.at <= c.started <= s.answered_at and c.finished_at and c.aborted_at is None]
        if backing:
            call = backing[-1]
            assert call.finished_at is not None
            total -= debounce_ms / 1000 + (call.finished_at - call.started)
        added.append(max(total, 0.0) * 1000)
        if os.environ.get("GPTLS_BENCH_DEBUG"):
            print(f"answer {total * 1000:.1f} ms over the backend and the pause; backed by a call: {bool(backing)}")
    per_pause = []
    for t in typists:
        for start, end in t.pauses:
            per_pause.append(sum(1 for c in calls if start <= c.started <= end))
    cancel_delays = []
    all_cancels = sorted(x for t in typists for x in t.cancels)
    all_sends = sorted(s.at for s in sent)
    for call in abandoned:
        assert call.aborted_at is not None
        after = [x for x in [*all_cancels, *all_sends] if call.started < x <= call.aborted_at]
        if after:
            cancel_delays.append((call.aborted_at - min(after)) * 1000)
    kinds = report.get("kinds", {}).get("completions", {})
    stats = report.get("completionStats", {})
    return {
        "chars": chars,
        "typed": sum(t.typed for t in typists),
        "requests": len(sent),
        "calls": len(calls),
        "abandoned": len(abandoned),
        "saved": sum(t.accepted for t in typists) / max(chars, 1),
        "e2e_p50": statistics.median(added) if added else float("nan"),
        "e2e_p95": sorted(added)[max(0, int(len(added) * 0.95) - 1)] if added else float("nan"),
        "added_p50": stats.get("addedP50Ms", float("nan")),
        "added_p95": stats.get("addedP95Ms", float("nan")),
        "max_per_pause": max(per_pause or [0]),
        "along": stats.get("along", 0),
        "cancel_p95": sorted(cancel_delays)[max(0, int(len(cancel_delays) * 0.95) - 1)] if cancel_delays else 0.0,
        "hour_usd": kinds.get("costUsd", 0.0) / seconds * 3600,
        "cached_share": kinds.get("cachedInputTokens", 0) / max(kinds.get("inputTokens", 1), 1),
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.typing", description=textwrap.dedent(__doc__ or ""))
    parser.add_argument("--quick", action="store_true", help="4 functions of one project")
    parser.add_argument("--debounce", type=int, action="append", help="completionDebounceMs to run (repeatable)")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    source = fetch(PROJECTS[0])
    root = Path(tempfile.mkdtemp(prefix="gptls-typing-"))
    try:
        shutil.copytree(source, root / "project")
        cases = pick(root / "project", 4 if args.quick else 12, rng)
        rows = []
        for debounce in args.debounce or [300]:
            rows.append((debounce, asyncio.run(replay(cases, root / "project", debounce))))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"\nTyping replay: {len(cases)} functions from {PROJECTS[0]}, {CHAR_SECONDS * 1000:.0f} ms a character, "
        f"{PAUSE_SECONDS * 1000:.0f} ms pause at line ends, backend {BACKEND_SECONDS * 1000:.0f} ms\n"
    )
    header = (
        f"{'debounce':>8} {'chars':>6} {'naive':>6} {'calls/100':>9} {'abandoned':>9} {'saved':>6} "
        f"{'added p50/p95':>14} {'e2e p50/p95':>12} {'calls/pause':>11} {'along':>6} {'cancel ms':>9} {'$/hour':>7} "
        f"{'cached':>7}"
    )
    print(header)
    for debounce, r in rows:
        print(
            f"{debounce:>8} {r['chars']:>6} {r['requests'] / r['typed'] * 100:>6.0f} "
            f"{r['calls'] / r['chars'] * 100:>9.1f} "
            f"{r['abandoned'] / max(r['calls'], 1):>9.0%} {r['saved']:>6.0%} "
            f"{r['added_p50']:>7.1f}/{r['added_p95']:<6.1f} {r['e2e_p50']:>5.0f}/{r['e2e_p95']:<6.0f} "
            f"{r['max_per_pause']:>11} {r['along']:>6} "
            f"{r['cancel_p95']:>9.1f} {r['hour_usd']:>7.3f} {r['cached_share']:>7.0%}"
        )
    print(
        "\nGoals: added p95 <= 5 ms; typing along costs 0 calls; abandoned <= 20%; <= 1 call per pause; cancel < 50 ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
