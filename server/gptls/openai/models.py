"""Which model answers: the configured one while OpenAI serves it, then the first fallback this key can use.

The model catalogue (``GET /models/{id}`` for ``shutdown_date``, ``GET /models`` for what this key may use) is
read off an action's path and remembered for a day in the state dir; a backend without ``/models`` (LiteLLM,
vLLM, Ollama…) only costs a debug line. A shutdown within 30 days (or past) is announced at most once a day.
When the configured model is known to be shut down (its shutdown date has passed, or the catalogue once listed
it and it now answers ``404 model_not_found``), the call is made again on the first usable model of
``fallbackModels``; a name the catalogue never listed (a typo: ``gpt-5-mni``) is never swapped for another,
paid, model: one error names the closest model this key can use, and nothing is remembered. A switch is
remembered for the process and in the state dir, so no later call pays a wasted 404. With no usable fallback
there is one clear error, and no further request for that model until the settings change.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from gptls.config import DEFAULT_MODEL, Settings
from gptls.errors import GptlsError
from gptls.openai.api_errors import ModelNotFoundError
from gptls.openai.model_state import ModelState
from gptls.openai.wire import ModelResult, ResponseRequest

if TYPE_CHECKING:
    from gptls.openai.client import ResponsesClient, RetryHook

log = logging.getLogger(__name__)

CATALOGUE_TTL = 24 * 3600.0
WARN_WITHIN_DAYS = 30
LOOKUP_WAIT = 10.0
# Dates OpenAI announced, for messages when the catalogue cannot say (after a shutdown the model's own
# entry is gone). They never trigger a switch: only a 404 or the catalogue's own date does.
ANNOUNCED_SHUTDOWNS = {"gpt-5-mini": "2026-12-11", "gpt-5-mini-2025-08-07": "2026-12-11"}
HOW_TO_CHOOSE = "To choose a model, set gptls.model (--model at the command line)."


class NoUsableModelError(GptlsError):
    """The configured model is gone and no fallback answered."""


class UnknownModelError(GptlsError):
    """The configured model is not one the endpoint knows, and was never known to be retired: a typo."""


@dataclass(frozen=True)
class ModelStatus:
    """What gptls knows of the configured model's lifetime: for ``gptls check`` and the gptls.check command."""

    model: str
    shutdown_date: dt.date | None
    days_left: int | None
    successor: str | None  # the fallback gptls would switch to
    successor_usable: bool | None  # None: this key's models could not be listed
    switched_to: str | None  # the model gptls already uses instead
    catalogue: bool  # False when the endpoint answered no /models

    def describe(self) -> str:
        """One line: the shutdown date, the days left and what gptls will do about it."""
        if not self.catalogue and self.shutdown_date is None:
            lifetime = "no shutdown date known (the endpoint has no model catalogue)"
        elif self.shutdown_date is None:
            lifetime = "no shutdown announced"
        elif self.days_left is not None and self.days_left > 0:
            lifetime = f"shuts down on {self.shutdown_date} ({_days(self.days_left)} left)"
        else:
            lifetime = f"shut down on {self.shutdown_date}"
        if self.switched_to:
            return f"{lifetime}; gptls uses {self.switched_to} instead"
        if self.shutdown_date is None:
            return lifetime
        return f"{lifetime}; {self._plan()}"

    def _plan(self) -> str:
        if self.successor is None:
            return "no model in gptls.fallbackModels is available to this key"
        usable = {True: "this key can use it", False: "this key cannot use it", None: "could not check this key"}
        return f"gptls would switch to {self.successor} ({usable[self.successor_usable]})"


class ModelRouter:
    """Makes each call on the model that should answer it, and knows when that model goes away."""

    def __init__(
        self,
        client: ResponsesClient,
        state_dir: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.state = ModelState(state_dir)
        self._clock = clock
        self._gone: set[tuple[str, str]] = set()  # (base_url, model) that answered model_not_found
        self._announced: set[tuple[str, str]] = set()  # switches already told to the user in this process
        self._switching: dict[tuple[str, str], asyncio.Lock] = {}

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self._clock(), dt.timezone.utc).date()

    def forget(self) -> None:
        """Settings changed: models found gone under the old key or endpoint may be back."""
        self._gone.clear()

    # -- calls ----------------------------------------------------------------------------------------

    def model_for(self, settings: Settings) -> str:
        """The model a call on ``settings`` goes to now, without asking the network."""
        switched = self._switched(settings)
        return switched or settings.model

    async def create(
        self,
        request: ResponseRequest,
        settings: Settings,
        *,
        on_delta: Callable[[str], None] | None = None,
        on_retry: RetryHook | None = None,
    ) -> ModelResult:
        """``client.create`` on the model that should answer; a retired model's call is made again on its
        successor and still returns an answer."""
        model = self.model_for(settings)
        if model == settings.model and (self._past_shutdown(settings) or self._is_gone(settings, model)):
            return await self._on_successor(request, settings, on_delta, on_retry, None)
        try:
            return await self.client.create(request, _on(settings, model), on_delta=on_delta, on_retry=on_retry)
        except ModelNotFoundError as error:
            if model == settings.model and not await self._known_retired(settings):
                raise await self._unknown_model(settings, error) from None
            self._gone.add((settings.base_url, model))
            if model != settings.model:
                self._forget_switch(settings)  # the successor went away too: pick again
            return await self._on_successor(request, settings, on_delta, on_retry, error)

    async def _on_successor(
        self,
        request: ResponseRequest,
        settings: Settings,
        on_delta: Callable[[str], None] | None,
        on_retry: RetryHook | None,
        error: ModelNotFoundError | None,
    ) -> ModelResult:
        key = (settings.base_url, settings.model)
        lock = self._switching.setdefault(key, asyncio.Lock())
        async with lock:  # a burst of calls finds the successor once, not once each
            switched = self._switched(settings)
            candidates = [switched] if switched else await self._candidates(settings)
            for candidate in candidates:
                try:
                    result = await self.client.create(
                        request, _on(settings, candidate), on_delta=on_delta, on_retry=on_retry
                    )
                except ModelNotFoundError:
                    self._gone.add((settings.base_url, candidate))
                    self._forget_switch(settings)
                    continue
                self._remember_switch(settings, candidate)
                return result
        raise self._no_usable_model(settings, error)

    async def _candidates(self, settings: Settings) -> list[str]:
        """The fallbacks to try in order: those this key can use when the models can be listed, else all."""
        fallbacks = [
            m for m in settings.fallback_models if m != settings.model and (settings.base_url, m) not in self._gone
        ]
        available = await self.available(settings)
        if available is None:
            return fallbacks
        return [m for m in fallbacks if m in available]

    async def _known_retired(self, settings: Settings) -> bool:
        """True when the configured model is known to have been served and now shut down: one whose shutdown
        OpenAI announced (at any endpoint: a proxy serving gpt-5-mini loses it too), one whose catalogue date
        has passed, or one the catalogue once listed."""
        if settings.model in ANNOUNCED_SHUTDOWNS:
            return True
        when = self._shutdown_date(settings)
        if when is not None and when <= self.today():
            return True
        entry = await self.lookup(settings, fresh=True)  # one look: is it listed, or was it ever?
        return bool(entry and entry.get("seen"))

    async def _unknown_model(self, settings: Settings, error: ModelNotFoundError) -> UnknownModelError:
        available = await self.available(settings)
        names = sorted(available) if available else [m for m in (DEFAULT_MODEL, *settings.fallback_models)]
        close = difflib.get_close_matches(settings.model, names, n=1, cutoff=0.6)
        guess = f"; did you mean {close[0]}?" if close else "."
        listed = "" if available is None else " (it is not in this key's model list)"
        return UnknownModelError(
            f"{settings.model} is not a model this endpoint serves{listed}{guess} Set gptls.model (--model at the "
            "command line) to a model your key can use; gptls does not switch a name it does not know for another "
            "model.",
            status=error.status,
            request_id=error.request_id,
            code="model_not_found",
        )

    def _no_usable_model(self, settings: Settings, error: ModelNotFoundError | None) -> NoUsableModelError:
        when = self._shutdown_date(settings)
        gone = f"{settings.model} is no longer served"
        gone += f" (shut down on {when})" if when and when <= self.today() else " (404 model_not_found)"
        if settings.fallback_models:
            why = f"no model in gptls.fallbackModels ({', '.join(settings.fallback_models)}) is available to this key"
        else:
            why = "gptls.fallbackModels is empty"
        return NoUsableModelError(
            f"{gone} and {why}: set gptls.model (--model at the command line) to a model your key can use.",
            status=error.status if error else None,
            request_id=error.request_id if error else None,
            code="model_not_found",
        )

    def _remember_switch(self, settings: Settings, successor: str) -> None:
        key = (settings.base_url, settings.model)
        switched = self.state.section("switched")
        if switched.get(_key(settings)) != successor:
            switched[_key(settings)] = successor
            self.state.save()
        if key in self._announced:
            return
        self._announced.add(key)
        when = self._shutdown_date(settings)
        dated = f" (shut down on {when})" if when and when <= self.today() else ""
        self.client.notice(
            f"gptls: {settings.model} is no longer served by OpenAI{dated}; {successor} answered instead, and "
            f"gptls will keep using it. {HOW_TO_CHOOSE}"
        )

    def _switched(self, settings: Settings) -> str | None:
        if not settings.fallback_models:
            return None
        successor = self.state.section("switched").get(_key(settings))
        if not isinstance(successor, str) or successor not in settings.fallback_models:
            return None
        return None if (settings.base_url, successor) in self._gone else successor

    def _forget_switch(self, settings: Settings) -> None:
        if self.state.section("switched").pop(_key(settings), None) is not None:
            self.state.save()

    def _is_gone(self, settings: Settings, model: str) -> bool:
        return (settings.base_url, model) in self._gone

    def _past_shutdown(self, settings: Settings) -> bool:
        if not settings.fallback_models:
            return False
        entry = self.state.section("catalogue").get(_key(settings))
        when = _date(entry.get("shutdown_date")) if isinstance(entry, dict) else None
        return when is not None and when <= self.today()

    # -- the catalogue --------------------------------------------------------------------------------

    async def lookup(self, settings: Settings, *, fresh: bool = False) -> dict[str, Any] | None:
        """The configured model's catalogue entry (``found``, ``shutdown_date``), cached a day; None when the
        endpoint has no catalogue or it failed (logged at debug: never a user's problem)."""
        if not settings.api_key:
            return None  # nothing to ask with; asked again once there is a key
        catalogue = self.state.section("catalogue")
        entry = catalogue.get(_key(settings))
        if not fresh and isinstance(entry, dict) and self._clock() - float(entry.get("checked", 0)) < CATALOGUE_TTL:
            return entry if entry.get("catalogue", True) else None
        # "seen": the catalogue listed this model once; a model that was listed and is gone is retired.
        seen = bool(isinstance(entry, dict) and entry.get("seen"))
        old_date = entry.get("shutdown_date") if isinstance(entry, dict) else None
        try:
            answer = await self.client.get_json(f"models/{settings.model}", settings, wait=LOOKUP_WAIT)
        except ModelNotFoundError:
            entry = {"checked": self._clock(), "catalogue": True, "found": False, "shutdown_date": old_date}
            entry["seen"] = seen
        except GptlsError as exc:
            log.debug("GET /models/%s failed: %s", settings.model, exc.details())
            entry = {"checked": self._clock(), "catalogue": False}
        else:
            when = answer.get("shutdown_date") if isinstance(answer, dict) else None
            entry = {
                "checked": self._clock(),
                "catalogue": isinstance(answer, dict),
                "found": isinstance(answer, dict),
                "seen": seen or isinstance(answer, dict),
                "shutdown_date": when if _date(when) else None,
            }
        catalogue[_key(settings)] = entry
        self.state.save()
        return entry if entry.get("catalogue") else None

    async def available(self, settings: Settings, *, fresh: bool = False) -> set[str] | None:
        """The models this key may use (``GET /models``), cached a day; None when they cannot be listed."""
        if not settings.api_key:
            return None
        listed = self.state.section("available")
        entry = listed.get(settings.base_url)
        if not fresh and isinstance(entry, dict) and self._clock() - float(entry.get("checked", 0)) < CATALOGUE_TTL:
            cached = entry.get("ids")
            return set(cached) if isinstance(cached, list) else None
        ids: list[str] | None
        try:
            answer = await self.client.get_json("models", settings, wait=LOOKUP_WAIT)
            data = answer.get("data") if isinstance(answer, dict) else None
            if not isinstance(data, list):
                raise ValueError("no data list")
            ids = sorted({str(m["id"]) for m in data if isinstance(m, dict) and isinstance(m.get("id"), str)})
        except (GptlsError, ValueError) as exc:
            log.debug("GET /models failed: %s", exc)
            ids = None
        listed[settings.base_url] = {"checked": self._clock(), "ids": ids}
        self.state.save()
        return None if ids is None else set(ids)

    async def status(self, settings: Settings, *, fresh: bool = False) -> ModelStatus:
        """What ``gptls check`` prints about the configured model's lifetime and successor."""
        entry = await self.lookup(settings, fresh=fresh)
        when = self._shutdown_date(settings)
        successor: str | None = None
        usable: bool | None = None
        switched = self._switched(settings)
        if when is not None and not switched:
            fallbacks = [m for m in settings.fallback_models if m != settings.model]
            available = await self.available(settings, fresh=fresh)
            if available is None:
                successor = fallbacks[0] if fallbacks else None
            else:
                successor = next((m for m in fallbacks if m in available), None)
                usable = True if successor else None
        return ModelStatus(
            model=settings.model,
            shutdown_date=when,
            days_left=(when - self.today()).days if when else None,
            successor=successor,
            successor_usable=usable,
            switched_to=switched,
            catalogue=entry is not None,
        )

    async def shutdown_warning(self, settings: Settings) -> str | None:
        """The day's warning about the configured model's shutdown, or None: none due, or already given
        today (remembered in the state dir across restarts)."""
        status = await self.status(settings)
        if status.shutdown_date is None or status.days_left is None or status.days_left > WARN_WITHIN_DAYS:
            return None
        warned = self.state.section("warned")
        today = self.today().isoformat()
        if warned.get(_key(settings)) == today:
            return None
        warned[_key(settings)] = today
        self.state.save()
        return _warning(status, settings)

    def unknown_model_warning(self, settings: Settings) -> str | None:
        """At start-up: the catalogue says the configured model does not exist (and never did)."""
        entry = self.state.section("catalogue").get(_key(settings))
        if not isinstance(entry, dict) or entry.get("found") is not False or entry.get("seen"):
            return None
        if settings.model in ANNOUNCED_SHUTDOWNS:
            return None
        return (
            f"gptls: {settings.model} is not a model this endpoint serves; set gptls.model (--model at the command "
            "line) to one your key can use. gptls does not switch a name it does not know for another model."
        )

    def _shutdown_date(self, settings: Settings) -> dt.date | None:
        entry = self.state.section("catalogue").get(_key(settings))
        when = _date(entry.get("shutdown_date")) if isinstance(entry, dict) else None
        if when is None and settings.base_url.startswith("https://api.openai.com"):
            when = _date(ANNOUNCED_SHUTDOWNS.get(settings.model))
        return when


def _warning(status: ModelStatus, settings: Settings) -> str:
    model, when = status.model, status.shutdown_date
    if status.switched_to:
        return f"gptls: {model} was shut down on {when}; gptls uses {status.switched_to} instead. {HOW_TO_CHOOSE}"
    if not settings.fallback_models:
        ending = "gptls.fallbackModels is empty, so gptls stops working then: set gptls.model to another model."
    elif status.successor is None:
        ending = "no model in gptls.fallbackModels is available to this key: set gptls.model to one it can use."
    else:
        usable = " (this key can use it)" if status.successor_usable else ""
        ending = f"gptls will then switch to {status.successor}{usable}. {HOW_TO_CHOOSE}"
    if status.days_left is not None and status.days_left > 0:
        return f"gptls: {model} shuts down on {when} ({_days(status.days_left)} from now); {ending}"
    return f"gptls: {model} was shut down on {when}; {ending}"


def _on(settings: Settings, model: str) -> Settings:
    return settings if model == settings.model else replace(settings, model=model)


def _key(settings: Settings) -> str:
    return f"{settings.base_url} {settings.model}"


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
