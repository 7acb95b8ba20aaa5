"""When a completion call is made, and what comes back to the editor.

An automatic request waits for a pause in typing (``completionDebounceMs``) and is dropped when a newer one
for the same document arrives before it calls. A call, once sent, belongs to the document, not to the request:
VS Code cancels its request at every keystroke, and a fluent typist never pauses longer than the debounce plus
the model's latency, so a call that died with its request would never show anything. A request whose cursor
moved only by typing at the place a call was asked waits for that call and serves what its answer says after
the typed characters; the call is cancelled (its HTTP connection closed at once) only when the cursor leaves
that place, text is deleted or changed above it, or the document is closed. While the user types what the
last suggestion says, the rest of it is served with no call; once it was accepted, nothing is requested until
the user types again. An answer is returned only for the document version it was asked for. Automatic
requests pause once today's cost reached ``dailyBudget``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gptls.completion.along import Asked, Shown, accepted, remainder, typed_since
from gptls.completion.answer import shown
from gptls.completion.prompt import completion_request
from gptls.completion.selected import Selected, accepted_view, over_item, usable
from gptls.config import Settings
from gptls.errors import GptlsError
from gptls.exclusion import is_excluded, looks_binary
from gptls.openai.wire import ModelResult
from gptls.text import Document, Pos

if TYPE_CHECKING:
    from gptls.pipeline import Pipeline

log = logging.getLogger(__name__)

CACHE_SIZE = 64


@dataclass(frozen=True)
class Completion:
    """Text to show at ``start``; it replaces ``start``..``end`` (the same line; empty: an insertion)."""

    text: str
    start: Pos
    end: Pos


def completion_settings(settings: Settings) -> Settings:
    """The settings a completion call is made with: its own model, effort and output cap."""
    return dataclasses.replace(
        settings,
        model=settings.completion_model or settings.model,
        reasoning_effort=settings.completion_effort,
        max_output_tokens=settings.completion_max_output_tokens,
        verbosity="low",
    )


@dataclass
class Flight:
    """A completion call sent and not yet settled: where it was asked, so typing along can wait for it."""

    call: asyncio.Future[ModelResult]
    doc: Document
    asked: Asked


class Completer:
    """One per server process; keeps per document the last suggestion, the pending request and its call."""

    def __init__(self, pipeline: Pipeline, on_usage: Callable[[], None] = lambda: None) -> None:
        self.pipeline = pipeline
        self.on_usage = on_usage  # a call was counted (the server saves the day's cost)
        self.stats: Counter[str] = Counter()
        self._shown: dict[str, Shown] = {}
        self._generation: Counter[str] = Counter()
        self._calls: dict[str, Flight] = {}
        self.added_ms: deque[float] = deque(maxlen=2000)
        # (uri, version, line, char, the suggest widget's selected item or ""): the answer for it
        self._cache: OrderedDict[tuple[str, int | None, int, int, str], Completion | None] = OrderedDict()

    def report(self) -> dict[str, float]:
        """Counts (requests, calls, along, accepted...) and what gptls adds to an answer's time, in ms."""
        added = sorted(self.added_ms)
        found: dict[str, float] = dict(self.stats)
        if added:
            found["addedP50Ms"] = round(added[len(added) // 2], 2)
            found["addedP95Ms"] = round(added[max(0, int(len(added) * 0.95) - 1)], 2)
        return found

    def offered(self, doc: Document, settings: Settings) -> bool:
        """Completions are on for this document: enabled, its language too, not excluded or binary, a key set."""
        return (
            settings.completions
            and doc.language_id not in settings.completions_disabled_languages
            and bool(settings.api_key.reveal())
            and not is_excluded(doc.uri, settings.exclude, doc.memo)
            and not looks_binary(doc.text)
        )

    async def complete(
        self,
        doc: Document,
        version: int | None,
        pos: Pos,
        settings: Settings,
        *,
        invoked: bool,
        current_version: Callable[[], int | None],
        selected: Selected | None = None,
    ) -> Completion | None:
        """Ghost text at ``pos``; with ``selected`` (the suggest widget's item), text that begins with the item's
        and replaces its range, asked for as if the item were accepted."""
        if not self.offered(doc, settings):
            return None
        began, waited = time.perf_counter(), [0.0]
        try:
            if selected is None:
                return await self._complete(doc, version, pos, settings, invoked, current_version, waited)
            if not usable(selected, doc, pos):
                self.stats["unusableSelection"] += 1
                return None  # VS Code would not show an answer that does not extend the item: no call
            self.stats["selected"] += 1
            view, after_item = accepted_view(doc, selected)
            found = await self._complete(
                view, version, after_item, settings, invoked, current_version, waited, selected.text
            )
            if found is None or not found.text:
                return None
            text, span = over_item(selected, doc, found.text, replaces_rest=found.end != found.start)
            return Completion(text, span.start, span.end)
        finally:
            # What gptls itself adds: the request's time less the pause it waited for and the model's answer.
            self.added_ms.append((time.perf_counter() - began - waited[0]) * 1000)

    async def _complete(
        self,
        doc: Document,
        version: int | None,
        pos: Pos,
        settings: Settings,
        invoked: bool,
        current_version: Callable[[], int | None],
        waited: list[float],  # seconds spent waiting for a pause or the model, added up
        variant: str = "",  # the selected item the document view assumes accepted, for the cache
    ) -> Completion | None:
        uri = doc.uri
        self.stats["requests"] += 1
        self._generation[uri] += 1
        generation = self._generation[uri]
        self._settle(uri)
        along = self._along(uri, doc, pos)
        if along is not None:
            self._cancel(uri)
            return along if isinstance(along, Completion) else None
        flight = self._calls.get(uri)
        if flight is not None:
            if typed_since(flight.asked, doc, pos) is not None:
                # Typed at the cursor since the call went: its answer may still say what comes next.
                self.stats["joined"] += 1
                return await self._join(flight, doc, version, pos, generation, current_version, waited)
            self._cancel(uri)  # the cursor left the call's place, or text was deleted or changed above
        key = (uri, version, pos.line, pos.char, variant)
        if key in self._cache:
            self.stats["cached"] += 1
            self._cache.move_to_end(key)
            return self._cache[key]
        if not invoked and self.pipeline.paused_by_budget(settings):
            self.stats["paused"] += 1
            return None
        if not invoked and settings.completion_debounce_ms:
            paused = time.perf_counter()
            try:
                await asyncio.sleep(settings.completion_debounce_ms / 1000)
            finally:
                waited[0] += time.perf_counter() - paused
            if self._generation[uri] != generation:
                self.stats["dropped"] += 1
                return None  # a newer request for this document came meanwhile
        flight = self._send(doc, pos, settings)
        found = await self._join(flight, doc, version, pos, generation, current_version, waited)
        if self._generation[uri] == generation and current_version() == version:
            self._cache[key] = found
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found

    def _along(self, uri: str, doc: Document, pos: Pos, *, counted: bool = True) -> Completion | str | None:
        """The rest of the suggestion on screen while the user types it; "" when it was just accepted (nothing
        to request until the user types again); None when it does not apply."""
        shown = self._shown.get(uri)
        if shown is None:
            return None
        if accepted(shown, doc, pos):
            del self._shown[uri]
            self.stats["accepted"] += 1
            return ""
        typed = typed_since(shown, doc, pos)
        rest = remainder(shown, typed) if typed is not None else None
        if rest is None:  # the typing left it (typed to its end, `accepted` saw above)
            del self._shown[uri]
            return None
        if counted:
            self.stats["along"] += 1
        end = Pos(pos.line, len(doc.line(pos.line))) if shown.insert.replaces_rest else pos
        return Completion(rest, pos, end)

    def _queued(self) -> None:
        self.stats["queued"] += 1  # every maxConcurrentCalls slot is taken: it waits, unsent

    def _cancel(self, uri: str) -> None:
        flight = self._calls.pop(uri, None)
        if flight is not None and not flight.call.done():
            flight.call.cancel()  # closes its HTTP connection
            self.stats["abandoned"] += 1

    def forget(self, uri: str) -> None:
        """The document was closed: its call in flight is of no use any more."""
        self._cancel(uri)
        self._shown.pop(uri, None)

    def _send(self, doc: Document, pos: Pos, settings: Settings) -> Flight:
        request = completion_request(
            doc, pos, settings.context_budget, self.pipeline.index, settings.completion_max_output_tokens
        )
        call_settings = completion_settings(settings)
        self.pipeline.configure(settings)
        call = asyncio.ensure_future(self.pipeline.completion(request, call_settings, self._queued))
        flight = Flight(call, doc, Asked.at(doc, pos))
        self._calls[doc.uri] = flight
        self.stats["calls"] += 1
        return flight

    async def _join(
        self,
        flight: Flight,
        doc: Document,
        version: int | None,
        pos: Pos,
        generation: int,
        current_version: Callable[[], int | None],
        waited: list[float],
    ) -> Completion | None:
        """Wait for ``flight`` and serve what its answer says after the text typed since it was asked. The call
        belongs to the document, not to this request: a request the editor cancels (as VS Code does at every
        keystroke) leaves it running for the next one."""
        asked = time.perf_counter()
        try:
            await asyncio.wait({flight.call})
        finally:
            waited[0] += time.perf_counter() - asked
        if flight.call.cancelled():
            return None  # superseded: the cursor moved away
        self._settle(doc.uri)
        if self._generation[doc.uri] != generation or current_version() != version:
            return None  # typed meanwhile: the newer request serves the answer
        along = self._along(doc.uri, doc, pos, counted=pos != flight.asked.pos)
        return along if isinstance(along, Completion) else None

    def _settle(self, uri: str) -> None:
        """A call that has answered becomes the suggestion shown where it was asked."""
        flight = self._calls.get(uri)
        if flight is None or not flight.call.done():
            return
        del self._calls[uri]
        if flight.call.cancelled():
            return
        try:
            result = flight.call.result()
        except GptlsError as error:
            self.stats["failed"] += 1
            log.warning("completion failed: %s", error)
            return
        self.on_usage()
        self._show(flight, result.text)

    def _show(self, flight: Flight, text: str) -> None:
        """The answer, made fit to show, becomes the suggestion where its call was asked (none if nothing fits)."""
        asked, doc = flight.asked, flight.doc
        following = doc.lines[asked.line + 1 : asked.line + 40]
        insert = shown(text, asked.line_prefix, asked.rest, following, doc.language_id)
        if insert is None:
            self._shown.pop(doc.uri, None)
            return
        self._shown[doc.uri] = Shown(asked.line, len(asked.line_prefix), asked.line_prefix, asked.rest, insert)
