"""One HTTP exchange with the endpoint: the headers (the only place the key is put), sending with transport
failures as typed errors, reading a bounded body, and that body as JSON."""

from __future__ import annotations

import json
from typing import Any

import httpx

from gptls import __version__
from gptls.config import Settings
from gptls.openai import ratelimit
from gptls.openai.api_errors import APIConnectionError, APITimeoutError, MalformedResponseError, MissingApiKeyError
from gptls.redaction import register_secret

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_MODELS_BYTES = 4 * 1024 * 1024


def headers(settings: Settings) -> dict[str, str]:
    """Every request's headers: the key (only ever here, only to the configured endpoint), who is asking, and
    the organization and project when set."""
    key = settings.api_key.reveal()
    if not key:
        raise MissingApiKeyError()
    register_secret(key)
    headers = {"Authorization": f"Bearer {key}", "User-Agent": f"gptls/{__version__}"}
    if settings.organization:
        headers["OpenAI-Organization"] = settings.organization
    if settings.project:
        headers["OpenAI-Project"] = settings.project
    return headers


class Exchange:
    """``async with`` one request: maps transport failures to typed errors, always closes the response."""

    def __init__(self, http: httpx.AsyncClient, request: httpx.Request, settings: Settings) -> None:
        self._http = http
        self._request = request
        self._settings = settings
        self._response: httpx.Response | None = None

    async def __aenter__(self) -> httpx.Response:
        try:
            self._response = await self._http.send(self._request, stream=True)
        except httpx.TimeoutException:
            raise APITimeoutError(
                f"OpenAI did not answer within gptls.timeout ({self._settings.timeout:g}s): try again or raise "
                "gptls.timeout.",
            ) from None
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"Could not reach {self._settings.base_url} ({type(exc).__name__}): check the network, proxy "
                "settings and OPENAI_BASE_URL.",
            ) from None
        return self._response

    async def __aexit__(self, *exc: object) -> None:
        if self._response is not None:
            await self._response.aclose()


async def read_limited(response: httpx.Response, limit: int = MAX_RESPONSE_BYTES) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise MalformedResponseError(
                    "The endpoint's answer is far larger than any answer gptls asked for; stopped reading it.",
                    status=response.status_code,
                    request_id=response.headers.get("x-request-id"),
                )
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise APITimeoutError(
            "The endpoint stopped sending its answer part-way (read timeout): try again.",
            request_id=response.headers.get("x-request-id"),
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError):
        raise MalformedResponseError(
            "The connection closed before the whole answer arrived; nothing was applied. Try again.",
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
        ) from None
    return b"".join(chunks)


def response_info(response: httpx.Response) -> dict[str, Any]:
    return {
        "request_id": response.headers.get("x-request-id"),
        "status": response.status_code,
        "ratelimit": ratelimit.headroom(response.headers),
    }


def content_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def read_json(raw: bytes, response: httpx.Response, info: dict[str, Any], *, expected: str = "JSON") -> Any:
    """The body as JSON; ``MalformedResponseError`` naming what came instead (a proxy's HTML page, garbage)."""
    try:
        return json.loads(raw)
    except ValueError:
        raise MalformedResponseError(
            f"The endpoint answered {response.status_code} with {content_type(response) or 'no content type'} "
            f"instead of {expected}: check that OPENAI_BASE_URL points at an OpenAI-compatible /v1 endpoint "
            "(a proxy page?).",
            status=response.status_code,
            request_id=info.get("request_id"),
        ) from None
