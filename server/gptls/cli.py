"""The ``gptls`` command: the language server (stdio or TCP), ``check`` and ``run``."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
from collections.abc import Sequence

from gptls import __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from gptls import logs

    logs.setup(args.log_level, args.log_file)
    try:
        return _main(args)
    except KeyboardInterrupt:
        # Ctrl-C: one line, no traceback. `run --apply` writes atomically, so a file is old or new, never half.
        print("gptls: interrupted", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    if args.command == "check":
        return asyncio.run(_check(args))
    if args.command == "run":
        from gptls.run import run_command

        code: int = asyncio.run(run_command(args))
        return code
    from gptls.server import create_server

    server = create_server()
    if args.tcp:
        import logging

        logging.getLogger("pygls.server").setLevel(logging.INFO)  # its "Serving on" line says it is ready
        try:
            server.start_tcp(args.host, args.port)
        except (OSError, OverflowError) as exc:
            reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc)
            print(
                f"gptls: cannot listen on {args.host}:{args.port} ({reason}): choose another --port.", file=sys.stderr
            )
            return 1
    else:
        server.start_io()
    # LSP: exit status 0 only when `exit` came after `shutdown` (pygls' own sys.exit does not reach here).
    return 0 if getattr(server.protocol, "_shutdown", False) else 1


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
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.add_argument("--log-file", help="also write the (redacted) log to this file")
    commands = parser.add_subparsers(dest="command")
    check = commands.add_parser(
        "check", help="send a tiny prompt; report the model's shutdown date, latency, tokens and rate-limit headroom"
    )
    check.add_argument("--config", help="a JSON file of gptls settings (the same keys as the editor settings)")
    _model_flags(check)
    run = commands.add_parser("run", help="run an action on a file without an editor")
    run.add_argument("action", help="generate, generate-verified, explain, explain-comment, refactor or docstring")
    run.add_argument("target", help="FILE, FILE:LINE or FILE:START-END (1-based lines)")
    run.add_argument("--apply", action="store_true", help="write the edit to FILE instead of printing a diff")
    run.add_argument(
        "--allow-exec",
        action="store_true",
        help="let generate-verified run model-written code in the sandbox (it asks nothing otherwise)",
    )
    run.add_argument("--config", help="a JSON file of gptls settings (the same keys as the editor settings)")
    run.add_argument("--language", help="language id (default: from the file extension)")
    _model_flags(run)
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


def settings_from_args(args: argparse.Namespace) -> tuple[object, list[str]]:
    """Settings from the environment, an optional JSON config file and flags; returns (settings, errors).

    Any error (an unreadable or invalid file, an unknown key, a bad value, a bad flag) means the settings are
    not what the user meant: callers stop before sending anything."""
    import json

    from gptls.config import Settings

    settings = Settings.from_env()
    errors: list[str] = []
    config_path = getattr(args, "config", None)
    if config_path:
        try:
            with open(config_path, encoding="utf-8") as handle:
                options = json.load(handle)
        except OSError as exc:
            return settings, [f"cannot read --config {config_path}: {exc.strerror or exc}"]
        except UnicodeDecodeError:
            return settings, [f"--config {config_path} is not UTF-8 text"]
        except ValueError as exc:
            return settings, [f"--config {config_path} is not valid JSON ({exc})"]
        if isinstance(options, dict) and isinstance(options.get("gptls"), dict):
            options = options["gptls"]
        if not isinstance(options, dict):
            return settings, [f"--config {config_path} must hold a JSON object of gptls settings"]
        update = settings.updated(options)
        settings = update.settings
        errors += [f"{error} (in {config_path})" for error in update.errors]
        errors += [f"unknown gptls setting {key!r} in {config_path}" for key in update.unknown]
    flags = {
        "model": args.model,
        "reasoningEffort": args.reasoning_effort,
        "baseUrl": args.base_url,
    }
    update = settings.updated({k: v for k, v in flags.items() if v is not None})
    errors += [error.replace("gptls setting 'baseUrl'", "--base-url") for error in update.errors]
    return update.settings, errors


async def _check(args: argparse.Namespace) -> int:
    from gptls.config import Settings
    from gptls.openai import GptlsError, ResponsesClient
    from gptls.openai.models import ModelRouter
    from gptls.openai.wire import CONNECTION_CHECK

    settings, errors = settings_from_args(args)
    assert isinstance(settings, Settings)
    if errors:
        print(f"gptls check: {'; '.join(errors)}. Nothing was sent.", file=sys.stderr)
        return 2
    settings = dataclasses.replace(settings, stream=False)
    client = ResponsesClient()
    client.on_notice = lambda message: print(message, file=sys.stderr)
    router = ModelRouter(client, settings.state_dir)
    try:
        status = await router.status(settings, fresh=True)
        result = await router.create(CONNECTION_CHECK, settings)
    except GptlsError as error:
        print(f"gptls check: FAILED: {error}", file=sys.stderr)
        print(f"  details: {error.details()}", file=sys.stderr)
        return 1
    finally:
        await client.aclose()
    if not result.text.strip():
        print("gptls check: FAILED: the answer held no message with output_text", file=sys.stderr)
        return 1
    info, usage = result.info, result.usage
    print("gptls check: OK")
    print(f"  endpoint      {settings.base_url}/responses")
    print(f"  model         {settings.model}: {status.describe()}")
    print(f"  answered by   {result.model or router.model_for(settings)}")
    print(f"  request id    {info.request_id or 'n/a'}")
    print(f"  latency       {info.latency_ms:.0f} ms")
    print(
        f"  tokens        input {usage.input_tokens} (cached {usage.cached_input_tokens}), "
        f"output {usage.output_tokens} (reasoning {usage.reasoning_tokens})"
    )
    headroom = " ".join(f"{k}={v}" for k, v in info.ratelimit.items()) or "not reported"
    print(f"  rate limits   {headroom}")
    print(f"  answer        {result.text.strip()[:80]!r}")
    return 0
