"""Ghost text under real typing: what a user sees, what it costs, against a naive server and gptls before.

``python -m bench.typing [--quick]`` fetches real projects from the package registry (the cache of
``bench.context``), picks functions at random (seeded) and types each body into its file, character by
character, as a person would, sending requests as VS Code does: one ``textDocument/inlineCompletion`` per
change, the previous one cancelled (``$/cancelRequest``). Three servers take the same typing in the same run,
side by side (each with its own backend; they wait, they hardly compute):

- **naive**: ``bench/naive_completer.py``, a bare pygls server that calls the model at every request;
- **before**: gptls at ``BEFORE`` (the commit before a call in flight survived the keystrokes typed along it:
  every request cancelled the call in flight), checked out of this repository's history;
- **gptls**: this tree.

**The typing.** Inter-key intervals are log-normal, from Dhakal, Feit, Kristensson and Oulasvirta,
*Observations on Typing from 136 Million Keystrokes* (CHI 2018): over 168,000 typists the mean interval is
239 ms (51.6 words a minute, SD 20.2) and intervals within a typist spread with a coefficient of variation of
about 0.45 (sigma below); its fastest groups type at about 120 ms a key, the slowest near 480 ms. Programmers
type the Enter key slower than other keys and pause between statements (Nakada and Miura, *Frontiers in
Computer Science* 2024, on programmers' typing; Thomas, Karahasanovic and Kennedy, ACE 2005, keystroke
latencies while programming in Java and Ada): the pause after Enter is modelled as log-normal with a median of
five intervals, and 3% of keystrokes are followed by a thinking pause (median 1.5 s). Those two are this
bench's assumptions, not figures from the papers. A fixed row types as the issue measured: 60 ms a
character, 400 ms at each line end, a 400 ms backend.

**The backend.** The Responses double over HTTP answers with the real continuation (the rest of the line, or
the next lines where the cursor starts one: a perfect model, so the keystrokes saved are an upper bound) after
a time to first token drawn per call, log-normal with median 700 ms, clipped to 300-1,500 ms (a small
reasoning model at minimal effort). A suggestion that matches what comes next is read while a few more
characters are typed, then accepted (Tab); one that does not is ignored.

Reported per server: suggestions shown, keystrokes saved (1 - the keys pressed, Tab included, over the keys
the bodies take with no help: the editor indents after Enter), calls per 100 of those keystrokes, calls
abandoned after they were sent, the time from the keystroke a suggestion answers to its showing (p50/p95),
gptls' own added latency (p50/p95, from its report: an answer's time less the pause it waited for and the
backend's), and the cost of an hour of this typing at gpt-5-mini prices (input at the full price; a call
closed under way counts its input). The tuning project is ``click``; ``rich`` is held out (never tuned on) and
reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from tests.double import replies
from tests.double.server import Received, ResponsesDouble, child_env

from bench.context import fetch
from bench.run import answer_client_requests

SEED = 20261206
TUNING, HELD_OUT = "click==8.1.7", "rich==13.9.4"
BEFORE = "a02b27decebe33cba723f39b3a71a2348375a0a6"
ALONG_CHARS = 3  # characters typed along a shown suggestion before it is accepted
CURSOR = "<|cursor|>"
PRICE_IN, PRICE_OUT = 0.25 / 1e6, 2.00 / 1e6  # gpt-5-mini, USD per token
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Profile:
    name: str
    key_ms: float  # median inter-key interval
    sigma: float  # its log-normal spread (0: fixed)
    line_pauses: float  # the pause after Enter, in intervals (median)
    think: float = 0.03  # share of keystrokes followed by a thinking pause
    backend_ms: float | None = None  # fixed backend time; None: drawn per call

    def key(self, rng: random.Random) -> float:
        return self._draw(rng, self.key_ms)

    def line_end(self, rng: random.Random) -> float:
        return self._draw(rng, self.key_ms * self.line_pauses, max(self.sigma, 0.0) * 1.3)

    def thinking(self, rng: random.Random) -> float:
        if self.sigma == 0 or rng.random() >= self.think:
            return 0.0
        return self._draw(rng, 1500.0, 0.5)

    def _draw(self, rng: random.Random, median_ms: float, sigma: float | None = None) -> float:
        spread = self.sigma if sigma is None else sigma
        return (median_ms * math.exp(rng.gauss(0, spread)) if spread else median_ms) / 1000

    def backend(self, rng: random.Random) -> float:
        if self.backend_ms is not None:
            return self.backend_ms / 1000
        return min(1.5, max(0.3, 0.7 * math.exp(rng.gauss(0, 0.5))))


PROFILES = (
    Profile("fixed: 60 ms a key, 400 ms line ends, 400 ms backend", 60, 0, 400 / 60, think=0, backend_ms=400),
    Profile("fast typist (120 ms a key)", 120, 0.45, 5),
    Profile("average typist (239 ms a key)", 239, 0.45, 5),
    Profile("slow typist (480 ms a key)", 480, 0.45, 5),
)


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
    seen: bool = False  # it was on screen: fresh when it came


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
        if not 80 <= len(typed) <= 400 or "\t" in typed:
            continue
        indent = re.match(r"[ ]*", lines[first]).group(0)  # type: ignore[union-attr]
        before = "\n".join(lines[:first]) + "\n" + indent
        found.append(Case(path, before, typed[len(indent) :], "\n" + "\n".join(lines[last + 1 :])))
    return found


def continuation(truth: dict[str, str], request: Received, delay: float) -> Any:
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
            return replies.text(rest.split("\n", 1)[0] or " ").then(delay=delay)
        return replies.text("\n".join(rest.split("\n")[:3]) or " ").then(delay=delay)
    return replies.text("pass").then(delay=delay)


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

    def __init__(self, client: LanguageClient, uri: str, text: str, profile: Profile, rng: random.Random) -> None:
        self.client, self.uri, self.text = client, uri, text
        self.profile, self.rng = profile, rng
        self.shown_after: list[float] = []  # seconds from a request's keystroke to its suggestion on screen
        self.version = 1
        self.sent: list[Sent] = []
        self.pending: asyncio.Future[Any] | None = None
        self.pending_sent: Sent | None = None
        self.pending_id = ""
        self.typed = self.accepted = self.tabs = 0
        self.keystrokes = 0  # what typing the bodies takes with no help (the editor indents after Enter)
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
                if not sent.seen:
                    sent.seen = True
                    self.shown_after.append(sent.answered_at - sent.at)
                item = sent.items[0]
                shown = item.insert_text if isinstance(item.insert_text, str) else item.insert_text.value
                insertion = item.range is None or item.range.start == item.range.end
                if insertion and shown and remaining.startswith(shown):
                    sent.items = []
                    return shown
            if time.monotonic() >= deadline:
                return None

    def interval(self) -> float:
        return self.profile.key(self.rng) + self.profile.thinking(self.rng)

    async def type_body(self, body: str) -> None:
        self.keystrokes += len(body) - sum(len(indent) for indent in re.findall(r"\n([ ]*)", body))
        i = 0
        while i < len(body):
            char = body[i]
            if char == "\n":
                indent = re.match(r"[ ]*", body[i + 1 :]).group(0)  # type: ignore[union-attr]
                self.change("\n" + indent)  # Enter, and the editor's auto-indent
                i += 1 + len(indent)
                self.typed += 1
                start = time.monotonic()
                suggestion = await self.wait(self.profile.line_end(self.rng), body[i:])
                self.pauses.append((start, time.monotonic()))
            else:
                self.change(char)
                i += 1
                self.typed += 1
                suggestion = await self.wait(self.interval(), body[i:])
            if suggestion is not None:
                # The user reads it while typing a few more characters (served by typing along), then Tab.
                for _ in range(min(ALONG_CHARS, len(suggestion) - 1)):
                    if body[i] == "\n":
                        break
                    self.change(body[i])
                    i += 1
                    self.typed += 1
                    suggestion = await self.wait(self.interval(), body[i:])
                    if suggestion is None:
                        break
                if suggestion is not None:
                    self.change(suggestion)  # Tab
                    i += len(suggestion)
                    self.accepted += len(suggestion)
                    self.tabs += 1
                    await self.wait(self.interval(), body[i:])
        if self.pending is not None and not self.pending.done():
            await asyncio.wait({self.pending}, timeout=5)


@dataclass(frozen=True)
class Lane:
    name: str
    command: list[str]
    env: dict[str, str]


def lanes(before_dir: Path) -> list[Lane]:
    server = [sys.executable, "-m", "gptls", "--log-level", "ERROR"]
    return [
        Lane("naive", [sys.executable, "-m", "bench.naive_completer"], {"PYTHONPATH": str(REPO)}),
        Lane("before", server, {"PYTHONPATH": str(before_dir / "server")}),
        Lane("gptls", server, {}),
    ]


def checkout_before(into: Path) -> Path:
    """gptls' server as it was at BEFORE, from this repository's history."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", BEFORE, "server/gptls"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into)
    return into


async def replay(lane: Lane, profile: Profile, cases: list[Case], root: Path) -> dict[str, Any]:
    rng = random.Random(f"{SEED}:{profile.name}")  # the same typing for every lane
    backend = random.Random(f"{SEED}:{profile.name}:backend")
    double = ResponsesDouble().start()
    double.validate_answers = False
    truth = {str(c.path): c.before + c.body + c.after for c in cases}
    double.responder = lambda request: continuation(truth, request, profile.backend(backend))
    env = {**child_env(double.env()), **lane.env}
    client = await ClientServerConfig(server_command=lane.command, server_env=env).start()
    assert isinstance(client, LanguageClient)
    answer_client_requests(client)
    await client.initialize_session(
        lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri())
    )
    typists: list[Typist] = []
    started = time.monotonic()
    for case in cases:
        uri = case.path.as_uri()
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=case.before + case.after
                )
            )
        )
        # The typist keeps the text up to the cursor; the rest of the file follows it unchanged.
        typist = Typist(client, uri, case.before, profile, rng)
        await typist.type_body(case.body)
        typists.append(typist)
        client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        )
    seconds = time.monotonic() - started
    stats: dict[str, Any] = {}
    if lane.name != "naive":
        report = await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="gptls.usage", arguments=[])
        )
        stats = (report or {}).get("completionStats", {})
    await client.shutdown_session()
    await asyncio.to_thread(double.stop)  # the other lanes are still typing: never block their loop
    return summarize(typists, double.requests, stats, seconds)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def summarize(typists: list[Typist], calls: list[Received], stats: dict[str, Any], seconds: float) -> dict[str, Any]:
    chars = sum(t.keystrokes for t in typists)  # the same for every server: the typing with no help
    abandoned = [c for c in calls if c.aborted_at is not None]
    usd = 0.0
    for call in calls:
        body = call.body if isinstance(call.body, dict) else {}
        usd += len(str(body.get("input", "")) + str(body.get("instructions", ""))) / 4 * PRICE_IN
        if call.aborted_at is None:
            usd += 20 * PRICE_OUT  # a line of code, about 20 tokens
    shown_after = [x * 1000 for t in typists for x in t.shown_after]
    return {
        "chars": chars,
        "typed": sum(t.typed for t in typists),
        "requests": sum(len(t.sent) for t in typists),
        "calls": len(calls),
        "abandoned": len(abandoned),
        "shown": len(shown_after),
        "saved": 1 - sum(t.typed + t.tabs for t in typists) / max(chars, 1),  # Tab is a keystroke too
        "shown_p50": percentile(shown_after, 0.5),
        "shown_p95": percentile(shown_after, 0.95),
        "added_p50": stats.get("addedP50Ms", float("nan")),
        "added_p95": stats.get("addedP95Ms", float("nan")),
        "joined": stats.get("joined", 0),
        "hour_usd": usd / seconds * 3600,
        "seconds": seconds,
    }


async def run_profile(profile: Profile, cases: list[Case], root: Path, before: Path) -> dict[str, dict[str, Any]]:
    """The same typing into each server at once: they wait on their backends, so they hardly compete."""
    found = await asyncio.gather(*(replay(lane, profile, cases, root) for lane in lanes(before)))
    return {lane.name: row for lane, row in zip(lanes(before), found, strict=True)}


def table(title: str, results: list[tuple[Profile, dict[str, dict[str, Any]]]]) -> str:
    out = [f"\n{title}\n"]
    out.append(
        f"{'typing':<52} {'server':<7} {'keys':>5} {'shown':>5} {'saved':>6} {'calls/100':>9} {'abandoned':>9} "
        f"{'shown after p50/p95 ms':>22} {'added p50/p95 ms':>16} {'$/hour':>7}"
    )
    for profile, rows in results:
        for name, r in rows.items():
            added = "-" if name == "naive" else f"{r['added_p50']:.1f}/{r['added_p95']:.1f}"
            out.append(
                f"{profile.name:<52} {name:<7} {r['chars']:>5} {r['shown']:>5} {r['saved']:>6.0%} "
                f"{r['calls'] / max(r['chars'], 1) * 100:>9.1f} {r['abandoned'] / max(r['calls'], 1):>9.0%} "
                f"{r['shown_p50']:>10.0f}/{r['shown_p95']:<11.0f} {added:>16} {r['hour_usd']:>7.3f}"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.typing", description=textwrap.dedent(__doc__ or ""))
    parser.add_argument("--quick", action="store_true", help="2 functions a project, the fixed row and one typist")
    parser.add_argument("--functions", type=int, default=3, help="functions typed per project (default 3)")
    args = parser.parse_args(argv)
    count = 2 if args.quick else args.functions
    profiles = PROFILES[:2] if args.quick else PROFILES
    work = Path(tempfile.mkdtemp(prefix="gptls-typing-"))
    try:
        before = checkout_before(work / "before")
        for label, requirement in (("tuning", TUNING), ("held out", HELD_OUT)):
            rng = random.Random(f"{SEED}:{requirement}")
            shutil.copytree(fetch(requirement), work / label)
            cases = pick(work / label, count, rng)
            results = [(p, asyncio.run(run_profile(p, cases, work / label, before))) for p in profiles]
            print(table(f"{label}: {len(cases)} functions of {requirement}", results), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        "\nGoals (fixed row, gptls): saved >= 25%, abandoned <= 25%, calls/100 <= 8, added p95 <= 250 ms;"
        " no worse than before for the slow typist."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
