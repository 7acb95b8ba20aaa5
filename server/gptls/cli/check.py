"""``gptls check``: one tiny call that proves key, model and endpoint work, and the model's lifetime."""

from __future__ import annotations

import argparse
import dataclasses

from gptls.cli.args import settings_from_args
from gptls.cli.say import say


async def check_command(args: argparse.Namespace) -> int:
    from gptls.openai import GptlsError, ResponsesClient
    from gptls.openai.models import ModelRouter
    from gptls.openai.wire import CONNECTION_CHECK

    settings, errors = settings_from_args(args)
    if errors:
        say(f"gptls check: {'; '.join(errors)}. Nothing was sent.", err=True)
        return 2
    settings = dataclasses.replace(settings, stream=False)
    client = ResponsesClient()
    client.on_notice = lambda message: say(message, err=True)
    router = ModelRouter(client, settings.state_dir)
    try:
        status = await router.status(settings, fresh=True)
        result = await router.create(CONNECTION_CHECK, settings)
    except GptlsError as error:
        say(f"gptls check: FAILED: {error}", err=True)
        say(f"  details: {error.details()}", err=True)
        return 1
    finally:
        await client.aclose()
    if not result.text.strip():
        say("gptls check: FAILED: the answer held no message with output_text", err=True)
        return 1
    info, usage = result.info, result.usage
    say("gptls check: OK")
    say(f"  endpoint      {settings.base_url}/responses")
    say(f"  model         {settings.model}: {status.describe()}")
    say(f"  answered by   {result.model or router.model_for(settings)}")
    say(f"  request id    {info.request_id or 'n/a'}")
    say(f"  latency       {info.latency_ms:.0f} ms")
    say(
        f"  tokens        input {usage.input_tokens} (cached {usage.cached_input_tokens}), "
        f"output {usage.output_tokens} (reasoning {usage.reasoning_tokens})"
    )
    headroom = " ".join(f"{k}={v}" for k, v in info.ratelimit.items()) or "not reported"
    say(f"  rate limits   {headroom}")
    say(f"  answer        {result.text.strip()[:80]!r}")
    return 0
