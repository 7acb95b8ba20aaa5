"""The model router against the double: lookups, the shutdown warning, the switch to a successor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from gptls.config import Settings
from gptls.config_sources import settings_from_env
from gptls.openai import ResponseRequest, ResponsesClient
from gptls.openai.models import ModelRouter, NoUsableModelError, UnknownModelError
from tests.double import replies
from tests.double.server import GPT5_MINI, ModelRules, ResponsesDouble

HELLO = ResponseRequest(input="Say hi")
TODAY = dt.date(2026, 11, 25)
NOON = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC).timestamp()


class Clock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def settings_for(double: ResponsesDouble, state: Path, **changes: Any) -> Settings:
    base = dataclasses.replace(settings_from_env(double.env()), state_dir=str(state), stream=False)
    return dataclasses.replace(base, **changes)


@pytest.fixture
async def client() -> Any:
    c = ResponsesClient()
    c.notices = []  # type: ignore[attr-defined]
    c.on_notice = c.notices.append  # type: ignore[attr-defined]
    yield c
    await c.aclose()


def retire(double: ResponsesDouble, model: str = "gpt-5-mini", on: dt.date = TODAY - dt.timedelta(days=1)) -> None:
    double.models[model] = dataclasses.replace(GPT5_MINI, shutdown_date=on.isoformat(), retired=True)


def shutting_down(double: ResponsesDouble, on: dt.date, model: str = "gpt-5-mini") -> None:
    double.models[model] = dataclasses.replace(GPT5_MINI, shutdown_date=on.isoformat())


# -- before the date ----------------------------------------------------------------------------------


async def test_status_reads_the_shutdown_date_days_left_and_the_usable_successor(double, client, tmp_path) -> None:
    shutting_down(double, dt.date(2026, 12, 11))
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    status = await router.status(settings_for(double, tmp_path))
    assert (status.shutdown_date, status.days_left) == (dt.date(2026, 12, 11), 16)
    assert (status.successor, status.successor_usable) == ("gpt-6.1-terra", True)
    assert status.describe() == (
        "shuts down on 2026-12-11 (16 days left); gptls would switch to gpt-6.1-terra (this key can use it)"
    )
    paths = [r.path for r in double.catalogue_requests]
    assert paths == ["/v1/models/gpt-5-mini", "/v1/models"]
    assert double.requests == [], "looking up costs no model call"


async def test_the_successor_is_the_first_fallback_this_key_can_use(double, client, tmp_path) -> None:
    shutting_down(double, dt.date(2026, 12, 11))
    double.models["gpt-6.1-terra"] = ModelRules(usable=False)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    status = await router.status(settings_for(double, tmp_path))
    assert status.successor == "gpt-5.6-terra"


async def test_the_warning_comes_once_a_day_within_30_days_remembered_across_restarts(double, client, tmp_path) -> None:
    shutting_down(double, dt.date(2026, 12, 11))
    clock = Clock()
    settings = settings_for(double, tmp_path)
    warning = await ModelRouter(client, str(tmp_path), clock=clock).shutdown_warning(settings)
    assert warning == (
        "gptls: gpt-5-mini shuts down on 2026-12-11 (16 days from now); gptls will then switch to gpt-6.1-terra "
        "(this key can use it). To choose a model, set gptls.model (--model at the command line)."
    )
    restarted = ModelRouter(client, str(tmp_path), clock=clock)
    assert await restarted.shutdown_warning(settings) is None, "once a day, across restarts"
    clock.now += 24 * 3600
    tomorrow = await restarted.shutdown_warning(settings)
    assert tomorrow is not None and "(15 days from now)" in tomorrow


async def test_no_warning_further_than_30_days_or_without_a_date(double, client, tmp_path) -> None:
    shutting_down(double, TODAY + dt.timedelta(days=31))
    settings = settings_for(double, tmp_path)
    assert await ModelRouter(client, str(tmp_path), clock=Clock()).shutdown_warning(settings) is None
    double.models["gpt-5-mini"] = GPT5_MINI
    other = tmp_path / "other"
    assert await ModelRouter(client, str(other), clock=Clock()).shutdown_warning(settings) is None


async def test_the_lookup_is_cached_for_a_day(double, client, tmp_path) -> None:
    clock = Clock()
    settings = settings_for(double, tmp_path)
    router = ModelRouter(client, str(tmp_path), clock=clock)
    await router.status(settings)
    await ModelRouter(client, str(tmp_path), clock=clock).status(settings)
    assert len(double.catalogue_requests) == 1, "no date: the list is not even needed"
    clock.now += 25 * 3600
    await router.status(settings)
    assert len(double.catalogue_requests) == 2


async def test_a_backend_without_models_costs_nothing_and_says_so(double, client, tmp_path, caplog) -> None:
    double.serves_catalogue = False
    settings = settings_for(double, tmp_path)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    status = await router.status(settings)
    assert status.describe() == "no shutdown date known (the endpoint has no model catalogue)"
    assert await router.shutdown_warning(settings) is None
    assert (await router.create(HELLO, settings)).text == "ok"
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR") and "models" in r.getMessage()]


# -- after the date -------------------------------------------------------------------------------------


async def test_a_404_model_not_found_switches_to_the_successor_and_remembers_it(double, client, tmp_path) -> None:
    retire(double)
    settings = settings_for(double, tmp_path)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    result = await router.create(HELLO, settings)
    assert result.text == "ok" and result.model == "gpt-6.1-terra"
    assert [b["model"] for b in double.bodies] == ["gpt-5-mini", "gpt-6.1-terra"]
    assert client.notices == [
        "gptls: gpt-5-mini is no longer served by OpenAI; gpt-6.1-terra answered instead, and gptls will keep "
        "using it. To choose a model, set gptls.model (--model at the command line)."
    ]
    await router.create(HELLO, settings)
    await ModelRouter(client, str(tmp_path), clock=Clock()).create(HELLO, settings)
    assert [b["model"] for b in double.bodies[2:]] == ["gpt-6.1-terra"] * 2, "no later call pays a wasted 404"
    assert len(client.notices) == 1
    saved = json.loads((tmp_path / "models.json").read_text())
    assert saved["switched"][f"{double.base_url} gpt-5-mini"] == "gpt-6.1-terra"


async def test_a_known_past_shutdown_date_switches_without_a_wasted_call(double, client, tmp_path) -> None:
    shutting_down(double, TODAY - dt.timedelta(days=2))
    settings = settings_for(double, tmp_path)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    await router.status(settings)  # the daily lookup saw the date before the model went away
    retire(double, on=TODAY - dt.timedelta(days=2))
    await router.create(HELLO, settings)
    assert [b["model"] for b in double.bodies] == ["gpt-6.1-terra"]
    assert "(shut down on 2026-11-23)" in client.notices[0]


async def test_when_models_cannot_be_listed_the_fallbacks_are_tried_in_order(double, client, tmp_path) -> None:
    retire(double)
    retire(double, "gpt-6.1-terra")
    double.serves_catalogue = False
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    result = await router.create(HELLO, settings_for(double, tmp_path))
    assert result.model == "gpt-5.6-terra"
    assert [b["model"] for b in double.bodies] == ["gpt-5-mini", "gpt-6.1-terra", "gpt-5.6-terra"]


async def test_no_usable_fallback_is_one_clear_error_and_no_retry_storm(double, client, tmp_path) -> None:
    retire(double)
    double.models["gpt-6.1-terra"] = ModelRules(usable=False)
    double.models["gpt-5.6-terra"] = ModelRules(usable=False)
    settings = settings_for(double, tmp_path)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    with pytest.raises(NoUsableModelError) as caught:
        await router.create(HELLO, settings)
    assert str(caught.value) == (
        "gpt-5-mini is no longer served (404 model_not_found) and no model in gptls.fallbackModels "
        "(gpt-6.1-terra, gpt-5.6-terra) is available to this key: set gptls.model (--model at the command line) "
        "to a model your key can use."
    )
    assert "OPENAI_BASE_URL" not in str(caught.value)
    with pytest.raises(NoUsableModelError):
        await router.create(HELLO, settings)
    assert len(double.requests) == 1, "the second action sends nothing: the model is known gone"


async def test_empty_fallback_models_turns_switching_off(double, client, tmp_path) -> None:
    retire(double)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    with pytest.raises(NoUsableModelError, match="gptls.fallbackModels is empty: set gptls.model"):
        await router.create(HELLO, settings_for(double, tmp_path, fallback_models=()))
    assert [b["model"] for b in double.bodies] == ["gpt-5-mini"]


async def test_changed_settings_try_the_configured_model_again(double, client, tmp_path) -> None:
    retire(double)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    settings = settings_for(double, tmp_path, fallback_models=())
    with pytest.raises(NoUsableModelError):
        await router.create(HELLO, settings)
    double.models["gpt-5-mini"] = GPT5_MINI  # e.g. the user fixed the key's project access
    router.forget()
    assert (await router.create(HELLO, settings)).model == "gpt-5-mini"


async def test_a_streamed_call_is_switched_too(double, client, tmp_path) -> None:
    retire(double)
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    deltas: list[str] = []
    double.script(replies.text("streamed answer"))
    result = await router.create(HELLO, settings_for(double, tmp_path, stream=True), on_delta=deltas.append)
    assert result.text == "streamed answer" and "".join(deltas) == "streamed answer"


# -- a name that was never a model ----------------------------------------------------------------------


async def test_a_mistyped_model_is_not_swapped_for_a_paid_one(double, client, tmp_path) -> None:
    settings = settings_for(double, tmp_path, model="gpt-5-mni")
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    with pytest.raises(UnknownModelError) as caught:
        await router.create(HELLO, settings)
    assert str(caught.value) == (
        "gpt-5-mni is not a model this endpoint serves (it is not in this key's model list); did you mean "
        "gpt-5-mini? Set gptls.model (--model at the command line) to a model your key can use; gptls does not "
        "switch a name it does not know for another model."
    )
    assert [b["model"] for b in double.bodies] == ["gpt-5-mni"], "no fallback was called"
    assert client.notices == []
    saved = json.loads((tmp_path / "models.json").read_text())
    assert saved["switched"] == {}, "nothing remembered"
    assert router.unknown_model_warning(settings) is not None


async def test_a_model_the_catalogue_once_listed_is_retired_when_it_404s(double, client, tmp_path) -> None:
    double.models["gpt-4.1-mini"] = GPT5_MINI
    settings = settings_for(double, tmp_path, model="gpt-4.1-mini")
    router = ModelRouter(client, str(tmp_path), clock=Clock())
    await router.status(settings)  # the daily look-up saw it
    double.models["gpt-4.1-mini"] = dataclasses.replace(GPT5_MINI, retired=True)
    result = await router.create(HELLO, settings)
    assert result.model == "gpt-6.1-terra"
    assert router.unknown_model_warning(settings) is None
