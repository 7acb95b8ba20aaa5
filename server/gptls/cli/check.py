"""``gptls check``: one tiny call that proves key, model and endpoint work, and the model's lifetime."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from gptls.cli.args import settings_from_args
from gptls.text.shown import plain


async def check_command(args: argparse.Namespace) -> int:
    from gptls.openai import GptlsError, ResponsesClient
    from gptls.openai.models import ModelRouter
    from gptls.openai.wire import CONNECTION_CHECK

    settings, errors = settings_from_args(args)
    if errors:
        print(plain(f"gptls check: {'; '.join(errors)}. Nothing was sent."), file=sys.stderr)
        return 2
    settings = dataclasses.replace(settings, stream=False)
    client = ResponsesClient()
    client.on_notice = lambda message: print(plain(message), file=sys.stderr)
    router = ModelRouter(client, settings.state_dir)
    try:
        status = await router.status(settings, fresh=True)
        result = await router.create(CONNECTION_CHECK, settings)
    except GptlsError as error:
        print(plain(f"gptls check: FAILED: {error}"), file=sys.stderr)
        print(plain(f"  details: {error.details()}"), file=sys.stderr)
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
