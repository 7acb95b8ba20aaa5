"""The ``gptls`` command: the language server (stdio or TCP), ``check``, ``run`` and ``demo``.

A thin face, like ``lsp/``: parsing arguments and exit statuses here; ``cli/check.py`` and ``cli/run_action.py`` hand
the work to the same openai/ client and pipeline the editor uses.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence

from gptls import __version__
from gptls.cli.say import say


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from gptls import logs

    # A terminal command shows warnings and errors only (INFO with -v); the server logs INFO by default.
    level = args.log_level or ("INFO" if getattr(args, "verbose", False) or args.command is None else "WARNING")
    logs.setup(level, args.log_file)
    try:
        return _main(args)
    except KeyboardInterrupt:
        # Ctrl-C: one line, no traceback. `run --apply` writes atomically, so a file is old or new, never half.
        say("gptls: interrupted", err=True)
        return 130


def _main(args: argparse.Namespace) -> int:
    demo = args.demo or args.command == "demo"
    if demo:
        from gptls.demo import NOTICE, enter_demo

        enter_demo()
        if args.command in ("check", "run"):
            say(NOTICE, err=True)
    if args.command == "check":
        from gptls.cli.check import check_command

        return asyncio.run(check_command(args))
    if args.command == "run":
        from gptls.cli.run_action import run_command

        code: int = asyncio.run(run_command(args))
        return code
    if not args.tcp:
        _said_to_a_person(demo)
    from gptls.lsp.server import create_server

    server = create_server(demo=demo)
    if args.tcp:
        import logging

        logging.getLogger("pygls.server").setLevel(logging.INFO)  # its "Serving on" line says it is ready
        try:
            server.start_tcp(args.host, args.port)
        except (OSError, OverflowError) as exc:
            reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc)
            say(f"gptls: cannot listen on {args.host}:{args.port} ({reason}): choose another --port.", err=True)
            return 1
    else:
        server.start_io()
    # LSP: exit status 0 only when `exit` came after `shutdown` (pygls' own sys.exit does not reach here).
    return 0 if getattr(server.protocol, "_shutdown", False) else 1


def _said_to_a_person(demo: bool) -> None:
    """Started by hand in a terminal, the stdio server would wait in silence for an editor that never comes,
    and Ctrl-C would wait for Enter (the reader thread blocks on stdin): say what it is and let Ctrl-C end it."""
    import signal
    import sys

    if not sys.stdin.isatty():
        return
    what = "gptls demo is the language server with canned answers" if demo else "gptls is a language server"
    say(
        f"{what}: it speaks LSP on stdin and stdout and waits for an editor to start it (docs/editors.md). "
        "To try it from this terminal: gptls --demo run generate examples/shapes.py:6. Ctrl-C quits.",
        err=True,
    )

    def quit_now(_signal: int, _frame: object) -> None:
        say("gptls: interrupted", err=True)
        if demo:
            from gptls.demo import remove_state

            remove_state()  # os._exit skips atexit
        os._exit(130)

    signal.signal(signal.SIGINT, quit_now)


DEMO_HELP = "answer from a canned local stand-in of the Responses API: no key, no model, nothing sent"
RUN_DESCRIPTION = """Run one action on a file, as an editor would, and print the result: a diff (--apply writes it), an
explanation, or the tests written. The project's other files give the context.

examples:
  gptls run generate examples/shapes.py:6              implement the stub at line 6; print a diff
  gptls run generate examples/shapes.py:6 --apply      ... and write it
  gptls run explain examples/shapes.py:16-22           the complexity of lines 16-22
  gptls run instruct app.py:12 "make this async"       rewrite as instructed
  gptls run fix app.py:40 --diagnostic "undefined name 'pth'"
  gptls --demo run generate examples/shapes.py:6       canned answers: no key, nothing sent
"""
RUN_EPILOG = """exit status:
  0  done
  1  the call or the write failed (the message says why)
  2  usage: bad arguments or settings, a file that is excluded, binary or unreadable, no key; nothing sent
  3  generate-verified: the tests did not pass, or none ran
  130  interrupted (Ctrl-C); a file is then old or new, never half-written
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gptls",
        description="A language server that asks gpt-5-mini to generate, explain and refactor code. "
        "With no command it speaks LSP on stdio.",
    )
    parser.add_argument("--version", action="version", version=_versions())
    parser.add_argument("--stdio", action="store_true", help="speak LSP on stdio (the default; editors pass it)")
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio (for debugging)")
    parser.add_argument("--host", default="127.0.0.1", help="TCP host (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=2087, help="TCP port (default 2087)")
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="default: INFO for the server, WARNING for check and run",
    )
    parser.add_argument("--log-file", help="also write the (redacted) log to this file")
    parser.add_argument("--demo", action="store_true", help=DEMO_HELP)
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser(
        "demo", help="the language server with canned answers, to try gptls in an editor without a key"
    )
    demo.add_argument("--stdio", action="store_true", help="speak LSP on stdio (the default; editors pass it)")
    check = commands.add_parser(
        "check", help="send a tiny prompt; report the model's shutdown date, latency, tokens and rate-limit headroom"
    )
    check.add_argument("--config", help="a JSON file of gptls settings (the same keys as the editor settings)")
    check.add_argument("-v", "--verbose", action="store_true", help="also log each call (INFO)")
    _model_flags(check)
    run = commands.add_parser(
        "run",
        help="run an action on a file without an editor",
        description=RUN_DESCRIPTION,
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "action",
        help="generate, generate-verified, explain, explain-comment, ask, refactor, instruct, docstring, write-tests "
        "or fix",
    )
    run.add_argument("target", help="FILE, FILE:LINE or FILE:START-END (1-based lines)")
    run.add_argument(
        "instruction",
        nargs="?",
        help='for instruct: what to do ("make this async"), else a `gptls: ...` comment at the lines says it; '
        'for ask: the question ("why does this fail for an empty list?")',
    )
    run.add_argument(
        "--follow-up",
        metavar="QUESTION",
        help="for ask: continue the last conversation about FILE with this question (the model sees the earlier "
        "questions and answers)",
    )
    run.add_argument("--apply", action="store_true", help="write the edit to FILE instead of printing a diff")
    run.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the diff: auto (on a terminal, unless NO_COLOR is set), always or never",
    )
    run.add_argument(
        "--diagnostic", action="append", default=[], metavar="MESSAGE", help="for fix: the problem (repeatable)"
    )
    run.add_argument(
        "--diagnostics",
        metavar="FILE.json",
        help="for fix: the problems from a linter's JSON (LSP, `ruff check --output-format=json`, or SARIF)",
    )
    run.add_argument(
        "--allow-exec",
        action="store_true",
        help="let generate-verified run model-written code in the sandbox (it asks nothing otherwise)",
    )
    run.add_argument("--config", help="a JSON file of gptls settings (the same keys as the editor settings)")
    run.add_argument("--language", help="language id (default: from the file extension)")
    run.add_argument("-v", "--verbose", action="store_true", help="also log each call (INFO)")
    run.add_argument(
        "--root",
        help="the project root: its files give the context, write-tests puts tests under it (default: the nearest "
        "pyproject.toml or .git above FILE)",
    )
    run.add_argument(
        "--show-prompt", action="store_true", help="print the request sent (and the files it quotes) to stderr"
    )
    _model_flags(run)
    for command in (check, run):  # `gptls run --demo ...` as well as `gptls --demo run ...`
        command.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help=DEMO_HELP)
    return parser


def _versions() -> str:
    """gptls', pygls' and Python's versions: what a bug report needs."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    try:
        pygls = version("pygls")
    except PackageNotFoundError:
        pygls = "not installed"
    return f"gptls {__version__} (pygls {pygls}, Python {platform.python_version()})"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def _model_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="model (default gpt-5-mini)")
    parser.add_argument("--reasoning-effort", choices=["none", "minimal", "low", "medium", "high", "xhigh"])
    parser.add_argument("--base-url", help="API base URL (default $OPENAI_BASE_URL or https://api.openai.com/v1)")
