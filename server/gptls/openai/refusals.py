"""What gptls does when a model refuses a parameter value: once per call, the value is replaced by the nearest
one the error lists as supported (or the parameter is left out), with one warning naming the gptls setting;
the adjustment is reused for that model until the settings change."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from gptls.config import REASONING_EFFORTS, VERBOSITIES, Settings
from gptls.openai.api_errors import SETTING_OF_PARAM, UnsupportedParameterError
from gptls.openai.wire import JsonDict

# Where each optional parameter a model may refuse lives in the body. A refused value is replaced by the
# nearest one the error lists as supported; a refused parameter is left out. Either way, once per call.
ADJUSTABLE = {
    "temperature": ("temperature",),
    "top_p": ("top_p",),
    "truncation": ("truncation",),
    "service_tier": ("service_tier",),
    "prompt_cache_key": ("prompt_cache_key",),
    "text.verbosity": ("text", "verbosity"),
    "verbosity": ("text", "verbosity"),
    "reasoning.effort": ("reasoning", "effort"),
    "reasoning": ("reasoning", "effort"),
}
# Values with an order, so "nearest" means something: a refused effort becomes the closest one, upwards on a tie.
ORDERED_VALUES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("reasoning", "effort"): REASONING_EFFORTS,
    ("text", "verbosity"): VERBOSITIES,
}
LEAVE_OUT = object()  # the parameter is left out of the body


class RefusedParameters:
    """The adjustments made for refused values, per endpoint and model, and the warnings already given."""

    def __init__(self, notice: Callable[[str], None]) -> None:
        # (base_url, model, body path, refused value as JSON) -> the value sent instead (or LEAVE_OUT).
        self._adjusted: dict[tuple[str, str, tuple[str, ...], str], Any] = {}
        self._warned: set[tuple[str, str, str]] = set()
        self.notice = notice

    def forget(self) -> None:
        """Settings changed: what a model refused under the old ones no longer applies."""
        self._adjusted.clear()
        self._warned.clear()

    def apply(self, body: JsonDict, settings: Settings) -> JsonDict:
        """``body`` with the adjustments already learnt for this endpoint and model."""
        for (base_url, model, path, refused), replacement in list(self._adjusted.items()):
            same_model = base_url == settings.base_url and model == settings.model
            if same_model and _has_path(body, path) and json.dumps(_get_path(body, path)) == refused:
                body = _with_path(body, path, replacement)
        return body

    def adjust(
        self, error: UnsupportedParameterError, body: JsonDict, settings: Settings, adjusted: set[tuple[str, ...]]
    ) -> JsonDict | None:
        """The body with the refused value replaced by the nearest supported one (or the parameter left out),
        or None when the parameter is not one gptls may change or was already changed in this call."""
        path: tuple[str, ...] | None = ADJUSTABLE.get(error.param or "")
        if path is None or path in adjusted or not _has_path(body, path):
            return None
        adjusted.add(path)
        refused = _get_path(body, path)
        supported = error.supported if error.code != "unsupported_parameter" else ()
        replacement = _nearest(refused, supported, ORDERED_VALUES.get(path, ())) if supported else LEAVE_OUT
        self._adjusted[(settings.base_url, settings.model, path, json.dumps(refused))] = replacement
        setting = SETTING_OF_PARAM.get(error.param or "", error.param or "")
        warned = (settings.model, setting, json.dumps(refused))
        if warned not in self._warned:
            self._warned.add(warned)
            if replacement is LEAVE_OUT:
                self.notice(
                    f"gptls: {settings.model} does not accept gptls.{setting} ({refused!r}); gptls left it out and "
                    f"retried. Remove gptls.{setting} from your settings to skip the extra round trip."
                )
            else:
                self.notice(
                    f"gptls: {settings.model} does not accept gptls.{setting} = {refused!r} (it supports "
                    f"{', '.join(supported)}); gptls used {replacement!r} instead. Set gptls.{setting} to one of "
                    "those to skip the extra round trip."
                )
        return _with_path(body, path, replacement)


def _has_path(body: JsonDict, path: tuple[str, ...]) -> bool:
    node: Any = body
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _get_path(body: JsonDict, path: tuple[str, ...]) -> Any:
    node: Any = body
    for key in path:
        node = node[key]
    return node


def _with_path(body: JsonDict, path: tuple[str, ...], value: Any) -> JsonDict:
    """A copy of ``body`` with ``path`` set to ``value`` (or removed, for ``LEAVE_OUT``)."""
    if not _has_path(body, path):
        return body
    copy = json.loads(json.dumps(body))
    node = copy
    for key in path[:-1]:
        node = node[key]
    if value is LEAVE_OUT:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return dict(copy)


def _nearest(refused: Any, supported: tuple[str, ...], order: tuple[str, ...]) -> str:
    """The supported value closest to the refused one in ``order`` (upwards on a tie); the first supported
    value when the order does not know them."""
    known = [v for v in supported if v in order]
    if not known or refused not in order:
        return supported[0]
    at = order.index(refused)
    return min(known, key=lambda v: (abs(order.index(v) - at), order.index(v) < at))
