"""One action, start to finish: checks, context, prompt, cache, the model call, the answer as an outcome.

Plain asyncio and no LSP types, so the language server and ``gptls run`` share it and tests drive it
without an editor.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from gptls.actions import Action, ActionError, Outcome
from gptls.actions.base import (
    Answer,
    EditResult,
    Instruction,
    Verdict,
    Workspace,
    clean_code,
    describe_target,
    ensure_parses,
    parse_answer,
)
from gptls.cache import ResultCache, cache_key
from gptls.config import Settings
from gptls.conversations import Conversation, Turn
from gptls.exclusion import is_excluded, looks_binary
from gptls.file_context import build_context
from gptls.index import WorkspaceIndex, project_context
from gptls.openai.wire import JsonSchemaFormat, ModelResult, ResponseRequest, Usage, follow_up
from gptls.targets import Target, target_at
from gptls.text import Document, Span
from gptls.timeouts import timeout
from gptls.usage import UsageLedger

if TYPE_CHECKING:
    from gptls.errors import GptlsError
    from gptls.openai.client import ResponsesClient
    from gptls.openai.models import ModelRouter
from gptls.sandbox.tool import TestSession, import_preamble, limits_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    action: Action
    doc: Document
    target: Target
    detail: str = ""  # what this request adds to the action's task (e.g. the diagnostic a fix is for)
    kind: str = "actions"  # what its cost is counted under: "actions" or "hovers"
    instruction: Instruction | None = None  # what the job was asked to do (Edit as instructed)

    @property
    def asked_by_file(self) -> bool:
        """The file's text, not the user, said what to do: the edit is always reviewed."""
        return self.instruction is not None and self.instruction.from_file


def input_estimate(request: ResponseRequest) -> int:
    """The input tokens ``request`` comes to, at about four characters a token: what a call cancelled after it
    was sent is counted at."""
    sent = request.input if isinstance(request.input, str) else json.dumps(list(request.input))
    return max(1, (len(request.instructions or "") + len(sent)) // 4)


def job_at(action: Action, doc: Document, span: Span) -> Job | None:
    """The job for ``action`` on what ``span`` points at, or None when the action does not apply there."""
    target = target_at(doc, span)
    if target is None or not action.offered(target, doc):
        return None
    if action.retarget is not None:
        target = action.retarget(target, doc)
    return Job(action, doc, target)


def job_for(action: Action, doc: Document, span: Span, workspace: Workspace) -> Job | None:
    """The job both faces run: the target at ``span``, settled by the action itself where it needs more (a
    Fix's diagnostic, Write tests' test file); None where the action does not apply. ``ActionError`` when it
    applies but cannot be done."""
    job = job_at(action, doc, span)
    if action.prepare is None:
        return job
    prepared = action.prepare(doc, span, job.target if job else None, workspace)
    if prepared is None:
        return None
    instruction = action.instruction(doc, span, workspace) if action.instruction is not None else None
    return Job(action, doc, prepared[0], prepared[1], instruction=instruction)


def outcome_of(job: Job, answer: Answer) -> Outcome:
    """The answer as the action's outcome; an edit that would break a Python file is refused here, for the
    editor and the command line alike. A verified run's verdict goes with its edit."""
    outcome = job.action.to_outcome(answer.fields, job.target, job.doc)
    ensure_parses(job.doc, outcome)
    if answer.verdict is not None and isinstance(outcome, EditResult):
        outcome = replace(outcome, note=answer.verdict.note(), verdict=answer.verdict)
    return outcome


MAX_PROPOSALS = 64


@dataclass(frozen=True)
class Proposal:
    """The last edit the model proposed for a document: the job, its outcome, and the exchange it came from."""

    job: Job
    outcome: EditResult
    turn: Turn


def _answered(answer: Answer) -> str:
    """The model's answer as the next turn re-sends it (a cached answer has only its fields)."""
    return answer.text or json.dumps(answer.fields)


def check_document(doc: Document, settings: Settings) -> None:
    """Raise ActionError when nothing of ``doc`` may be sent: an excluded file, a binary one."""
    if is_excluded(doc.uri, settings.exclude, doc.memo):
        raise ActionError("This file matches gptls.exclude (secrets, keys, .env files): gptls never sends it.")
    if looks_binary(doc.text):
        raise ActionError("This file looks binary (it holds NUL bytes): gptls does not send it.")


class Reporter(Protocol):
    """What one job tells the face that runs it (progress in an editor, nothing at the command line)."""

    def delta(self, text: str) -> None:
        """A piece of the answer arrived."""

    def queued(self) -> None:
        """The job waits for a free slot (maxConcurrentCalls)."""

    def retrying(self, error: GptlsError, delay: float) -> None:
        """The call failed in a way worth retrying; the next attempt is in ``delay`` seconds."""

    def message(self, text: str) -> None:
        """A step worth showing (a test round of the verified action)."""


class Events(Protocol):
    """What the pipeline tells the face about the process as a whole."""

    def notice(self, message: str) -> None:
        """A warning the user should see once (a model switch, a refused setting); the work went on."""

    def in_flight(self, count: int) -> None:
        """Model calls now in flight (for status bars)."""


class Quiet:
    """A Reporter and Events that show nothing."""

    def delta(self, text: str) -> None:
        pass

    def queued(self) -> None:
        pass

    def retrying(self, error: GptlsError, delay: float) -> None:
        pass

    def message(self, text: str) -> None:
        pass

    def notice(self, message: str) -> None:
        log.warning(message)

    def in_flight(self, count: int) -> None:
        pass


QUIET = Quiet()


@dataclass(frozen=True)
class LastRequest:
    """The last prompt built (gptls.lastRequest, ``gptls run --show-prompt``): what was sent, and which
    other files it quotes."""

    action: str
    instructions: str
    input: str
    files: list[str]

    def render(self) -> str:
        quoted = "\n".join(f"  {f}" for f in self.files) or "  (none)"
        return (
            f"gptls: the last request ({self.action})\n\nFiles quoted besides the target's:\n{quoted}\n\n"
            f"--- instructions ---\n{self.instructions}\n\n--- input ---\n{self.input}\n"
        )


class Pipeline:
    """Shared by every request of a server process: the client, the cache, the usage ledger, the limit."""

    def __init__(self, events: Events = QUIET, client: ResponsesClient | None = None) -> None:
        self.events = events
        self._client = client
        self._router: ModelRouter | None = None
        self._settings: Settings | None = None
        self.cache: ResultCache[Answer] = ResultCache()
        self.index: WorkspaceIndex | None = None  # the face sets it once the workspace is known
        self.last_request: LastRequest | None = None
        self.proposed: OrderedDict[str, Proposal] = OrderedDict()  # document URI -> the last edit proposed
        self.usage = UsageLedger()
        self.usage.warn = self.events.notice
        self._budget_told = ""  # the day the user was told the daily budget was reached
        self._limit = 0
        self._semaphore = asyncio.Semaphore(1)
        self.in_flight = 0

    @property
    def client(self) -> ResponsesClient:
        """The process' one HTTP client, made on first use (httpx is not needed to start)."""
        if self._client is None:
            from gptls.openai.client import ResponsesClient

            self._client = ResponsesClient()
            self._client.on_notice = self.events.notice
        return self._client

    @property
    def router(self) -> ModelRouter:
        """Picks the model each call goes to (the configured one, or its successor once it is retired)."""
        if self._router is None:
            from gptls.openai.models import ModelRouter

            self._router = ModelRouter(self.client, self._settings.state_dir if self._settings else "")
        return self._router

    def configure(self, settings: Settings) -> None:
        if self._settings is not None and settings != self._settings:
            # What a model refused, or which models were gone, under the old settings no longer holds.
            if self._client is not None:
                self._client.forget_adjustments()
            if self._router is not None:
                self._router.forget()
        self._settings = settings
        if self.usage.path is None and settings.state_dir:
            self.usage.use_dir(settings.state_dir)
        if settings.max_concurrent_calls != self._limit:
            # Calls already waiting keep the old semaphore; new calls use the new limit.
            self._limit = settings.max_concurrent_calls
            self._semaphore = asyncio.Semaphore(self._limit)
        self.cache.resize(settings.cache_size)

    def paused_by_budget(self, settings: Settings) -> bool:
        """True once today's estimated cost reached ``dailyBudget`` (never when it is 0): automatic completions
        and hovers pause; the user is told once a day."""
        if settings.daily_budget <= 0 or self.usage.today_usd() < settings.daily_budget:
            return False
        today = datetime.date.today().isoformat()
        if self._budget_told != today:
            self._budget_told = today
            self.events.notice(
                f"gptls: today's estimated cost reached gptls.dailyBudget (${settings.daily_budget:g}): automatic "
                "completions and hovers are paused until tomorrow. Actions you pick still run."
            )
        return True

    def check(self, job: Job, settings: Settings) -> None:
        """Raise ActionError when the job must not be sent at all."""
        check_document(job.doc, settings)
        if len(job.target.text) > settings.max_selection_chars:
            raise ActionError(
                f"The selection is too large ({len(job.target.text):,} characters; the limit is "
                f"gptls.maxSelectionChars = {settings.max_selection_chars:,}): select less code."
            )

    def request(self, job: Job, settings: Settings) -> tuple[ResponseRequest, str]:
        """The request for ``job`` and its cache key."""
        quoted = project_context(job.doc, job.target, settings.context_budget, self.index)
        if quoted.text:
            text_context, project = quoted.text, True
        else:  # a language the index does not read: the file's own imports and signatures
            text_context, project = build_context(job.doc, job.target, settings.context_budget), False
        task = job.action.task(job.target) + (f"\n\n{job.detail}" if job.detail else "")
        text = describe_target(job.doc, job.target, text_context, task, project=project)
        request = ResponseRequest(
            input=text,
            instructions=job.action.instructions,
            # An action without a schema (Ask) answers in prose, shown as it streams in.
            text_format=JsonSchemaFormat(job.action.format_name, job.action.schema) if job.action.schema else None,
        )
        key = cache_key(job.action.cache_id, job.doc.language_id, text, settings.cache_identity())
        self.last_request = LastRequest(job.action.id, request.instructions or "", text, quoted.files)
        return request, key

    def cached(self, job: Job, settings: Settings) -> Outcome | None:
        _request, key = self.request(job, settings)
        answer = self.cache.get(key)
        return None if answer is None else outcome_of(job, answer)

    async def run(
        self,
        job: Job,
        settings: Settings,
        reporter: Reporter = QUIET,
    ) -> Outcome:
        """The outcome of ``job``; served from the cache when the same question was asked before."""
        self.configure(settings)
        self.check(job, settings)
        request, key = self.request(job, settings)
        answer = self.cache.get(key) if job.action.cached else None
        if answer is None:
            answer = await self._ask(request, job, settings, reporter)
            outcome = outcome_of(job, answer)
            if job.action.cached:
                self.cache.put(key, answer)  # only answers that made a good outcome are kept
        else:
            log.info("%s: answered from cache", job.action.id)
            outcome = outcome_of(job, answer)
        self._remember_proposal(job, outcome, Turn(str(request.input), _answered(answer), answer.response_id))
        return outcome

    async def converse(
        self,
        job: Job,
        settings: Settings,
        conversation: Conversation,
        reporter: Reporter = QUIET,
        *,
        message: str | None = None,
    ) -> Outcome:
        """One turn of ``conversation``, never from the cache: the first sends the job's prompt; a later one
        sends ``message`` (a follow-up question), or the job's prompt again (a refinement, against the code as it
        is now), after the earlier turns. The turn is added to the conversation once its outcome is good."""
        self.configure(settings)
        self.check(job, settings)
        first, _key = self.request(job, settings)
        asked = first.input if message is None else message
        assert isinstance(asked, str)
        request = conversation.next_request(replace(first, input=asked), store=settings.store)
        if not isinstance(request.input, str):
            self.last_request = replace(
                self.last_request or LastRequest(job.action.id, "", "", []), input=json.dumps(request.input, indent=1)
            )
        answer = await self._ask(request, job, settings, reporter)
        outcome = outcome_of(job, answer)
        turn = Turn(asked, _answered(answer), answer.response_id)
        conversation.turns.append(turn)
        self._remember_proposal(job, outcome, turn)
        return outcome

    def _remember_proposal(self, job: Job, outcome: Outcome, turn: Turn) -> None:
        """The last edit the model proposed for a document, for a refinement (gptls.refine)."""
        if isinstance(outcome, EditResult):
            self.proposed[job.doc.uri] = Proposal(job, outcome, turn)
            self.proposed.move_to_end(job.doc.uri)
            while len(self.proposed) > MAX_PROPOSALS:
                self.proposed.popitem(last=False)

    async def _ask(
        self,
        request: ResponseRequest,
        job: Job,
        settings: Settings,
        reporter: Reporter,
    ) -> Answer:
        semaphore = self._semaphore
        if semaphore.locked():
            reporter.queued()
        async with semaphore:
            self._count(+1)
            try:

                async def call(req: ResponseRequest) -> ModelResult:
                    result = await self._metered(req, settings, job.kind, reporter.delta, reporter.retrying)
                    log.info("%s: %d output tokens", job.action.id, result.usage.output_tokens)
                    return result

                if not job.action.tools:
                    result = await call(request)
                    if not job.action.schema:
                        return Answer({"answer": result.text.strip()}, text=result.text, response_id=result.id)
                    fields = parse_answer(result.text, tuple(job.action.schema.get("required", ())))
                    return Answer(fields, text=result.text, response_id=result.id)
                return await self._tool_loop(call, request, job, settings, reporter)
            finally:
                self._count(-1)

    async def completion(
        self, request: ResponseRequest, settings: Settings, queued: Callable[[], None] = lambda: None
    ) -> ModelResult:
        """One completion call: it takes a ``maxConcurrentCalls`` slot like an action (it waits for one, unsent,
        while all are taken: ``queued`` is told) and its cost is counted, a cancelled call's too."""
        if self._semaphore.locked():
            queued()
        async with self._semaphore:
            return await self._metered(request, settings, "completions")

    async def _metered(
        self,
        request: ResponseRequest,
        settings: Settings,
        kind: str,
        on_delta: Callable[[str], None] | None = None,
        on_retry: Callable[[GptlsError, float], None] | None = None,
    ) -> ModelResult:
        """``router.create`` with its cost recorded: a call cancelled once under way counts its input (the
        endpoint may already be billing it), so the daily budget is a cap, not a hope."""
        try:
            result = await self.router.create(request, settings, on_delta=on_delta, on_retry=on_retry)
        except asyncio.CancelledError:
            self.usage.record(settings.model, Usage(input_tokens=input_estimate(request)), settings.prices, kind)
            raise
        self.usage.record(result.model or settings.model, result.usage, settings.prices, kind)
        return result

    async def _tool_loop(
        self,
        call: Callable[[ResponseRequest], Awaitable[ModelResult]],
        request: ResponseRequest,
        job: Job,
        settings: Settings,
        reporter: Reporter,
    ) -> Answer:
        """Answer the model's run_tests calls until it gives its final answer or the rounds run out; the whole
        loop, model calls and test runs together, ends by gptls.deadline."""
        from gptls.sandbox import find_boundary

        boundary = await find_boundary(settings.sandbox, settings.bwrap_path or None)
        session = TestSession(
            limits_for(settings),
            boundary,
            reporter.message,
            import_preamble(job.doc.text),
            max_runs=settings.verify_rounds,
        )
        try:
            async with timeout(settings.deadline):
                return await self._test_rounds(call, replace(request, tools=job.action.tools), session, settings)
        except asyncio.TimeoutError:
            raise ActionError(
                f"Verified generation took longer than gptls.deadline ({settings.deadline:g}s); nothing was applied."
            ) from None

    async def _test_rounds(
        self,
        call: Callable[[ResponseRequest], Awaitable[ModelResult]],
        request: ResponseRequest,
        session: TestSession,
        settings: Settings,
    ) -> Answer:
        result = await call(request)
        rounds = 0
        while result.function_calls:
            if rounds >= settings.verify_rounds:
                if request.tool_choice == "none":
                    raise ActionError(
                        "The model kept asking to run tests past gptls.verifyRounds; nothing was applied."
                    )
                limit = json.dumps(
                    {"passed": False, "report": "Round limit reached: no more test runs. Give your final answer now."}
                )
                outputs = [(c.call_id, limit) for c in result.function_calls]
                request = replace(follow_up(request, result, outputs, store=settings.store), tool_choice="none")
            else:
                outputs = await session.answer_turn(result.function_calls)
                request = follow_up(request, result, outputs, store=settings.store)
                rounds += 1
            result = await call(request)
        answer = parse_answer(result.text, ("code",))
        code = answer.get("code")
        if not isinstance(code, str) or not code.strip():
            return Answer(answer)  # the action says there is no code
        if session.on_message is not None:
            session.on_message("checking the final code")
        check = await session.verify(clean_code(code))
        verdict = Verdict(
            tested=bool(session.last_tests.strip()),
            passed=check.passed,
            runs=len(session.runs),
            report=check.report,
            unavailable="" if session.boundary.available else session.boundary.describe(),
        )
        return Answer(answer, verdict)

    def _count(self, step: int) -> None:
        self.in_flight += step
        self.events.in_flight(self.in_flight)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
