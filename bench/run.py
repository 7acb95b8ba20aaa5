"""gptls' overhead, measured: gptls over stdio against the Responses double with a fixed latency.

``python -m bench`` prints one table of medians (``--quick``: few repetitions, for CI, targets not enforced).
Every comparison is measured in the same run. Nothing here reaches the network: the backend is the double.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from tests.double import replies
from tests.double.server import ResponsesDouble, child_env

CAPS = client_capabilities("visual-studio-code")
COMPLEXITY = {"time": "O(n)", "space": "O(1)", "explanation": "One pass."}


@dataclass
class Row:
    figure: str
    measured: str
    target: str
    ok: bool


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def functions_file(count: int, body: str = "    return x + {i}\n") -> str:
    return "import math\n\n\n" + "".join(f"def f{i}(x):\n{body.format(i=i)}\n\n" for i in range(count))


def answer_client_requests(client: LanguageClient) -> None:
    """Answer what gptls asks an editor (file watching, status), as VS Code does, so the log stays quiet."""

    @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(_params: lsp.RegistrationParams) -> None:
        return None

    @client.feature("gptls/status")
    def status(_params: Any) -> None:
        return None


class Server:
    """gptls (or another server) as an editor runs it: a subprocess over stdio."""

    def __init__(self, double: ResponsesDouble, command: list[str] | None = None, **options: Any) -> None:
        self.double = double
        self.command = command or [sys.executable, "-m", "gptls", "--log-level", "WARNING"]
        self.options = options
        self.client: LanguageClient
        self.pid = 0

    async def start(self) -> float:
        env = child_env(self.double.env())
        started = time.perf_counter()
        client = await ClientServerConfig(server_command=self.command, server_env=env).start()
        assert isinstance(client, LanguageClient)
        self.client = client
        answer_client_requests(client)
        await client.initialize_session(
            lsp.InitializeParams(
                capabilities=CAPS, initialization_options=self.options, root_uri="file:///tmp/gptls-bench"
            )
        )
        elapsed = time.perf_counter() - started
        server = client._server  # the subprocess
        self.pid = server.pid if server else 0
        return elapsed

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def open(self, name: str, text: str, language: str = "python") -> str:
        uri = f"file:///tmp/gptls-bench/{name}"
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
            )
        )
        return uri

    async def code_actions(self, uri: str, line: int) -> list[Any]:
        at = lsp.Position(line=line, character=4)
        result = await self.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                range=lsp.Range(start=at, end=at),
                context=lsp.CodeActionContext(diagnostics=[]),
            )
        )
        return list(result or [])

    async def resolve_generate(self, uri: str, line: int) -> None:
        at = lsp.Position(line=line, character=4)
        data = {
            "action": "generate",
            "uri": uri,
            "range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 4}},
            "version": 1,
        }
        action = lsp.CodeAction(title="gptls: Generate function", kind="refactor.rewrite.gptls.generate", data=data)
        resolved = await self.client.code_action_resolve_async(action)
        assert resolved.edit is not None, "the action produced no edit"
        del at

    async def hover(self, uri: str, line: int, character: int = 5) -> lsp.Hover | None:
        return await self.client.text_document_hover_async(
            lsp.HoverParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=line, character=character)
            )
        )

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_session(), 10)
        finally:
            await self.client.stop()


async def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


# -- the figures -----------------------------------------------------------------------------------------


async def end_to_end_ratio(double: ResponsesDouble, runs: int) -> Row:
    code = "def f(x):\n    return x * 2\n"
    double.responder = lambda r: replies.json_output({"code": code}).then(delay=0.2)
    bare: list[float] = []
    body = {
        "model": "gpt-5-mini",
        "input": "x" * 2000,
        "store": False,
        "stream": True,
        "text": {
            "format": {
                "type": "json_schema",
                "name": "x",
                "strict": True,
                "schema": {
                    "type": "object",
                    "properties": {"code": {"type": "string"}},
                    "required": ["code"],
                    "additionalProperties": False,
                },
            }
        },
    }
    async with httpx.AsyncClient() as http:
        for _ in range(runs):
            started = time.perf_counter()
            async with http.stream(
                "POST", f"{double.base_url}/responses", json=body, headers={"Authorization": f"Bearer {double.api_key}"}
            ) as response:
                async for _chunk in response.aiter_bytes():
                    pass
            bare.append(time.perf_counter() - started)
    server = Server(double)
    await server.start()
    uri = server.open("stubs.py", functions_file(runs + 2, "    ...\n"))
    full: list[float] = []
    for i in range(runs):
        line = 3 + 4 * i
        full.append(await timed(lambda line=line: server.resolve_generate(uri, line)))
    await server.stop()
    ratio = median(full) / median(bare)
    return Row(
        "end-to-end action / bare HTTP to the double (200 ms backend)",
        f"{ratio:.3f} ({median(full) * 1000:.0f} ms / {median(bare) * 1000:.0f} ms)",
        "<= 1.05",
        ratio <= 1.05,
    )


async def code_action_under_load(double: ResponsesDouble, samples: int) -> list[Row]:
    gate = threading.Event()
    double.responder = lambda r: replies.json_output(COMPLEXITY).then(gate=gate)
    server = Server(double, maxConcurrentCalls=32)
    await server.start()
    uri = server.open("load.py", functions_file(300))
    idle = [await timed(lambda i=i: server.code_actions(uri, 3 + 4 * (i % 300))) for i in range(samples)]
    hovers = [asyncio.ensure_future(server.hover(uri, 3 + 4 * i)) for i in range(32)]
    await asyncio.to_thread(double.wait_for_requests, 32, 30)
    busy = [await timed(lambda i=i: server.code_actions(uri, 3 + 4 * (i % 300))) for i in range(samples)]
    gate.set()
    await asyncio.gather(*hovers)
    await server.stop()
    ratio = p95(busy) / p95(idle)
    return [
        Row(
            "codeAction p95 with 32 model calls in flight / idle p95",
            f"{ratio:.2f} ({p95(busy) * 1000:.2f} ms / {p95(idle) * 1000:.2f} ms)",
            "<= 2 and < 20 ms",
            ratio <= 2 and p95(busy) < 0.020,
        ),
    ]


async def concurrent_hovers(double: ResponsesDouble, runs: int) -> list[Row]:
    # The backend runs in a process of its own here, as the real API does: in this process it would share
    # the interpreter (and one of the two cores) with the test client and measure them as gptls' overhead.
    backend = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.backend", "0.5", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert backend.stdout is not None and backend.stdin is not None
    url = (await backend.stdout.readline()).decode().strip()
    remote = SimpleNamespace(env=lambda: {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": double.api_key or ""})
    server = Server(remote, maxConcurrentCalls=32)  # type: ignore[arg-type]
    await server.start()
    walls: list[float] = []
    for run in range(runs):
        uri = server.open(f"hover{run}.py", functions_file(32, f"    return x + {{i}} + {run}\n"))
        walls.append(await timed(lambda uri=uri: asyncio.gather(*(server.hover(uri, 3 + 4 * i) for i in range(32)))))
    await server.stop()
    backend.stdin.close()
    if await backend.wait() != 0:
        raise SystemExit("the backend process reported requests the real API would reject")
    double.responder = lambda r: replies.json_output(COMPLEXITY)
    server = Server(double)
    await server.start()
    uri = server.open("cached.py", functions_file(4))
    await server.hover(uri, 3)
    before = len(double.requests)
    cached = [await timed(lambda: server.hover(uri, 3)) for _ in range(20 if runs > 1 else 5)]
    sent = len(double.requests) - before
    await server.stop()
    ratio = median(walls) / 0.5
    return [
        Row("32 concurrent hovers, 500 ms backend, limit 32: wall / 500 ms", f"{ratio:.3f}", "<= 1.2", ratio <= 1.2),
        Row(
            "repeated hover served from cache",
            f"{median(cached) * 1000:.2f} ms, {sent} backend requests",
            "< 5 ms, 0 requests",
            median(cached) < 0.005 and sent == 0,
        ),
    ]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (robust to a busy machine, unlike wall time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def hover_burst(double: ResponsesDouble, runs: int) -> Row:
    """200 hovers over 20 documents at once, limit 4, a 20 ms backend: what tests/e2e/test_robustness.py
    checks for correctness (every one answered, the limit held), timed here."""
    double.responder = lambda r: replies.json_output(COMPLEXITY).then(delay=0.02)
    walls: list[float] = []
    for run in range(runs):
        server = Server(double, maxConcurrentCalls=4, cacheSize=50)
        await server.start()
        uris = [
            server.open(f"burst{run}_{d}.py", functions_file(10, f"    return x + {{i}} + {d}\n")) for d in range(20)
        ]

        def burst(server: Server = server, uris: list[str] = uris) -> Any:
            return asyncio.gather(*(server.hover(u, 3 + 4 * i) for u in uris for i in range(10)))

        walls.append(await timed(burst))
        await server.stop()
    wall = median(walls)
    # 200 calls, 4 at a time, 20 ms each: 1 s of backend time at best.
    return Row("burst: 200 hovers over 20 documents, limit 4, 20 ms backend: wall", f"{wall:.2f} s", "< 6 s", wall < 6)


async def hover_cpu(runs: int) -> Row:
    """Server CPU per model-backed hover (32 at once, 500 ms backend) for gptls and for a bare pygls server
    making the same streamed httpx call, measured in the same run against the same backend process."""
    backend = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.backend", "0.5", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert backend.stdout is not None and backend.stdin is not None
    url = (await backend.stdout.readline()).decode().strip()
    remote = SimpleNamespace(env=lambda: {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "sk-test-double-key-0123456789"})
    servers = {
        "gptls": Server(remote, maxConcurrentCalls=32),  # type: ignore[arg-type]
        "bare": Server(remote, command=[sys.executable, "-m", "bench.bare_server"]),  # type: ignore[arg-type]
    }
    spent = dict.fromkeys(servers, 0.0)
    for server in servers.values():
        await server.start()
        warm = server.open("warm.py", functions_file(32, "    return x + {i} - 1\n"))
        await asyncio.gather(*(server.hover(warm, 3 + 4 * i) for i in range(32)))  # imports, connections
    # Alternate the two servers burst by burst: a machine that gets busier or quieter meanwhile affects both.
    for run in range(runs):
        for name, server in servers.items():
            uri = server.open(f"cpu{run}.py", functions_file(32, f"    return x + {{i}} + {run}\n"))
            before = cpu_seconds(server.pid)
            answers = await asyncio.gather(*(server.hover(uri, 3 + 4 * i) for i in range(32)))
            spent[name] += cpu_seconds(server.pid) - before
            assert all(a is not None for a in answers), f"{name}: a hover came back empty"
    for server in servers.values():
        await server.stop()
    per_request = {name: total / (32 * runs) for name, total in spent.items()}
    backend.stdin.close()
    await backend.wait()
    ratio = per_request["gptls"] / per_request["bare"]
    return Row(
        "server CPU per model-backed hover (32 at once) / bare pygls+httpx floor",
        f"{ratio:.2f}x ({per_request['gptls'] * 1000:.1f} ms / {per_request['bare'] * 1000:.1f} ms)",
        "<= 1.3x",
        ratio <= 1.3,
    )


async def cancel_latency(double: ResponsesDouble, runs: int) -> Row:
    double.responder = lambda r: replies.hang()
    server = Server(double)
    await server.start()
    uri = server.open("cancel.py", functions_file(runs + 1))
    delays: list[float] = []
    for i in range(runs):
        seen = len(double.requests)
        msg_id = f"bench-cancel-{i}"
        params = lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=3 + 4 * i, character=5)
        )
        pending = asyncio.ensure_future(
            server.client.protocol.send_request_async(lsp.TEXT_DOCUMENT_HOVER, params, msg_id=msg_id)
        )
        await asyncio.to_thread(double.wait_for_requests, seen + 1, 30)
        sent_at = time.monotonic()
        server.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=msg_id))
        aborted = await asyncio.to_thread(double.wait_for_abort, -1, 30)
        assert aborted.aborted_at is not None
        delays.append(aborted.aborted_at - sent_at)
        with contextlib.suppress(Exception):  # the cancelled request's error reply
            await pending
    await server.stop()
    value = median(delays) * 1000
    return Row("$/cancelRequest to backend connection closed", f"{value:.1f} ms", "< 50 ms", value < 50)


async def start_up(double: ResponsesDouble, runs: int) -> list[Row]:
    jedi = shutil.which("jedi-language-server", path=str(Path(sys.executable).parent)) or shutil.which(
        "jedi-language-server"
    )
    ours: list[float] = []
    rss: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        server = Server(double)
        ours.append(await server.start())
        rss.append(server.rss_mib())
        await server.stop()
        if jedi:
            other = Server(double, command=[jedi])
            theirs.append(await other.start())
            await other.stop()
    rows = [Row("RSS after initialize", f"{median(rss):.1f} MiB", "<= 60 MiB", median(rss) <= 60)]
    if theirs:
        ratio = median(ours) / median(theirs)
        rows.insert(
            0,
            Row(
                "start to initialize reply vs jedi-language-server",
                f"{ratio:.2f}x ({median(ours) * 1000:.0f} ms / {median(theirs) * 1000:.0f} ms)",
                "<= 0.8x",
                ratio <= 0.8,
            ),
        )
    else:
        rows.insert(
            0,
            Row(
                "start to initialize reply (jedi-language-server not installed)",
                f"{median(ours) * 1000:.0f} ms",
                "<= 0.8x jedi",
                False,
            ),
        )
    return rows


def realistic_module(functions: int, stub: int) -> tuple[str, int]:
    """A module shaped like real code (imports, docstrings, a few statements per function): 10 lines and
    about 300 characters per function. Returns the text and the line of the stub."""
    parts = ["import json\nimport os\nfrom pathlib import Path\n\n"]
    for i in range(functions):
        body = (
            "    ...\n\n"
            if i == stub
            else f"    total = sum(item.weight for item in items if item.enabled)\n"
            f"    if total > limit_{i % 7}:\n        raise ValueError(f'too heavy: {{total}}')\n"
            f"    return total / max(len(items), 1)\n\n"
        )
        parts.append(
            f"def compute_weight_{i}(items: list[Item], limit_{i % 7}: float = 10.0) -> float:\n"
            f'    """Average weight of the enabled items, checked against the limit.\n\n'
            f'    Raises ValueError when the total is above the limit.\n    """\n' + body
        )
    text = "".join(parts)
    return text, text.split("\n").index(
        f"def compute_weight_{stub}(items: list[Item], limit_{stub % 7}: float = 10.0) -> float:"
    )


async def context_share(double: ResponsesDouble) -> Row:
    double.responder = lambda r: replies.json_output({"code": "def f(x):\n    return x\n"})
    server = Server(double)
    await server.start()
    text, stub_line = realistic_module(500, 250)  # about 5,000 lines
    uri = server.open("big.py", text)
    await server.resolve_generate(uri, stub_line)
    sent = double.requests[-1].body
    await server.stop()
    chars = len(sent["input"]) + len(sent.get("instructions") or "")
    share = chars / len(text)
    return Row(
        f"characters sent for an action in a {text.count(chr(10)):,}-line file / file size",
        f"{share:.3f} ({chars:,} of {len(text):,})",
        "<= 0.10",
        share <= 0.10,
    )


async def docstring_output(double: ResponsesDouble) -> Row:
    """Output tokens are the slowest, dearest part of a call: what Add docstring asks the model to write for
    a 60-line function, before (the whole function back, with its docstring) and now (the docstring only)."""
    body = "".join(f"    total_{i} = sum(item.weight for item in items if item.size > {i})\n" for i in range(57))
    function = f"def weigh(items: list[Item]) -> float:\n{body}    return total_0 / max(len(items), 1)\n"
    docstring = "Average weight of the items above each size threshold; 0 items give 0."
    double.responder = lambda r: replies.json_output({"docstring": docstring})
    server = Server(double)
    await server.start()
    uri = server.open("weigh.py", "from model import Item\n\n\n" + function)
    at = lsp.Position(line=4, character=4)
    actions = await server.client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=at, end=at),
            context=lsp.CodeActionContext(diagnostics=[]),
        )
    )
    chosen = next(a for a in actions or [] if isinstance(a, lsp.CodeAction) and a.data["action"] == "docstring")
    resolved = await server.client.code_action_resolve_async(chosen)
    await server.stop()
    assert resolved.edit is not None
    now = len(json.dumps({"docstring": docstring}))
    documented = function.replace(":\n", f':\n    """{docstring}"""\n', 1)
    before = len(json.dumps({"code": documented}))
    return Row(
        "Add docstring on a 60-line function: answer characters asked of the model, before -> now",
        f"{before:,} -> {now:,} ({now / before:.2f})",
        "docstring only",
        now < before / 10,
    )


async def did_change_cost(double: ResponsesDouble, changes: int) -> Row:
    server = Server(double)
    await server.start()
    text = functions_file(2500)  # 10,000 lines
    uri = server.open("edit.py", text)
    await server.code_actions(uri, 3)
    started = time.perf_counter()
    for version in range(2, changes + 2):
        line = (version * 37) % 9000
        at = lsp.Position(line=line, character=0)
        server.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(start=at, end=at), text="#")],
            )
        )
    await server.code_actions(uri, 3)  # answered only after every change before it was applied
    per_change = (time.perf_counter() - started) / changes * 1000
    await server.stop()
    return Row(
        f"{changes:,} incremental didChange on a 10,000-line file, per change",
        f"{per_change:.3f} ms",
        "< 1 ms",
        per_change < 1,
    )


async def bench(quick: bool) -> list[Row]:
    double = ResponsesDouble().start()
    try:
        rows = [await end_to_end_ratio(double, 3 if quick else 15)]
        rows += await code_action_under_load(double, 30 if quick else 200)
        rows += await concurrent_hovers(double, 1 if quick else 5)
        rows.append(await hover_burst(double, 1 if quick else 3))
        rows.append(await hover_cpu(2 if quick else 20))
        rows.append(await cancel_latency(double, 3 if quick else 15))
        rows += await start_up(double, 1 if quick else 5)
        rows.append(await context_share(double))
        rows.append(await did_change_cost(double, 200 if quick else 1000))
        rows.append(await docstring_output(double))
    finally:
        double.stop()
    if double.schema_violations:
        raise SystemExit(f"requests the real API would reject: {double.schema_violations}")
    return rows


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {system}"


def render(rows: list[Row], quick: bool) -> str:
    lines = [
        f"gptls bench ({'quick: few repetitions, targets not enforced' if quick else 'full'}) on {machine()}",
        "",
        "| figure | measured (median) | target | met |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {r.figure} | {r.measured} | {r.target} | {'yes' if r.ok else 'NO'} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repetitions; never fails on a missed target")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args(argv)
    rows = asyncio.run(bench(args.quick))
    print(render(rows, args.quick))
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in rows], indent=2))
    if not args.quick and not all(r.ok for r in rows):
        return 1
    return 0
