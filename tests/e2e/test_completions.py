"""Inline completions over stdio, as an editor asks for them: what is sent, what comes back, when no call is
made (typing along, accepted, excluded, no key, paused by the budget), debounce and supersession, cancelling
closes the HTTP call, and an answer is never returned for a document that changed meanwhile."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

from lsprotocol import types as lsp

from tests.double import replies
from tests.double.server import GPT5_MINI

FUNC = "def area(width, height):\n    return \n"
AFTER_RETURN = lsp.Position(line=1, character=11)


async def test_an_invoked_completion_sends_the_text_around_the_cursor_and_inserts_the_answer(editor) -> None:
    uri = editor.open("area.py", FUNC)
    editor.double.script(replies.text("width * height"))
    items = await editor.inline(uri, AFTER_RETURN, invoked=True)
    assert [i.insert_text for i in items] == ["width * height"]
    body = editor.double.requests[-1].body
    assert "def area(width, height):\n    return <|cursor|>\n" in body["input"]
    assert "format" not in body["text"]  # plain text: the inserted code only
    assert body["reasoning"] == {"effort": "minimal"} and body["max_output_tokens"] == 400
    assert "nothing else" in body["instructions"]
    # Its cost counts today: status bars show it (and it is saved for the daily budget).
    await editor.until(lambda: any(getattr(s, "todayUsd", 0) > 0 for s in editor.statuses), "gptls/status")


async def test_fences_and_prose_never_reach_the_buffer(editor) -> None:
    uri = editor.open("area.py", FUNC)
    editor.double.script(replies.text("```python\nwidth * height\n```"))
    assert [i.insert_text for i in await editor.inline(uri, AFTER_RETURN, invoked=True)] == ["width * height"]
    editor.insert(uri, lsp.Position(line=0, character=0), "\n")  # another version: no cached answer
    editor.double.script(replies.text("Here is the completion you asked for: width * height"))
    at = lsp.Position(line=2, character=11)
    assert await editor.inline(uri, at, invoked=True) == []


async def test_the_answer_never_repeats_the_text_after_the_cursor(editor) -> None:
    uri = editor.open("hello.py", "def hello():\n    print()\n")
    inside = lsp.Position(line=1, character=10)  # print(|)
    editor.double.script(replies.text('"hello")'))
    items = await editor.inline(uri, inside, invoked=True)
    assert [i.insert_text for i in items] == ['"hello"']
    # Brackets the editor closed itself are replaced when the answer needs them elsewhere (its line only).
    js = editor.open("check.js", "function f(x) {\n  if ()\n}\n", "javascript")
    editor.double.script(replies.text("x > 0) {\n    return x;\n  }"))
    items = await editor.inline(js, lsp.Position(line=1, character=6), invoked=True)
    assert items[0].insert_text == "x > 0) {"
    assert items[0].range == lsp.Range(start=lsp.Position(line=1, character=6), end=lsp.Position(line=1, character=7))


async def test_a_block_is_offered_on_an_empty_line_without_the_lines_that_follow(editor) -> None:
    text = "def total(items):\n    \n\n\ndef other():\n    pass\n"
    uri = editor.open("total.py", text)
    answer = "result = 0\n    for item in items:\n        result += item\n    return result"
    editor.double.script(replies.text(answer + "\n\n\ndef other():\n    pass"))
    items = await editor.inline(uri, lsp.Position(line=1, character=4), invoked=True)
    assert items[0].insert_text == answer
    # Mid-line, one line only.
    other = editor.open("count.py", "def count(items):\n    result = \n")
    editor.double.script(replies.text("0\n    for item in items:\n        pass"))
    items = await editor.inline(other, lsp.Position(line=1, character=13), invoked=True)
    assert items[0].insert_text == "0"


async def test_typing_along_a_suggestion_costs_no_call_and_an_accepted_one_asks_nothing(editor) -> None:
    uri = editor.open("area.py", FUNC)
    editor.double.script(replies.text("width * height"))
    await editor.inline(uri, AFTER_RETURN, invoked=True)
    calls = len(editor.double.requests)
    editor.insert(uri, AFTER_RETURN, "wid")
    items = await editor.inline(uri, lsp.Position(line=1, character=14))
    assert [i.insert_text for i in items] == ["th * height"]
    editor.insert(uri, lsp.Position(line=1, character=14), "th * height")  # Tab: the rest goes in
    assert await editor.inline(uri, lsp.Position(line=1, character=25)) == []
    assert len(editor.double.requests) == calls
    # Typing something else leaves the suggestion: the next pause asks again.
    editor.insert(uri, lsp.Position(line=1, character=25), " + 1")
    editor.double.script(replies.text("  # the area"))
    assert await editor.inline(uri, lsp.Position(line=1, character=29), invoked=True)
    assert len(editor.double.requests) == calls + 1


async def test_with_the_suggest_widget_open_the_answer_extends_the_selected_item(editor) -> None:
    # VS Code shows ghost text beside its suggest widget only when it begins with the selected item over the
    # item's range: the user typed "w", the widget selects "width".
    uri = editor.open("area.py", FUNC.replace("return \n", "return w\n"))
    cursor = lsp.Position(line=1, character=12)
    word = lsp.Range(start=lsp.Position(line=1, character=11), end=cursor)
    editor.double.script(replies.text(" * height"))
    items = await editor.inline(
        uri, cursor, invoked=True, selected=lsp.SelectedCompletionInfo(range=word, text="width")
    )
    assert [(i.insert_text, i.range) for i in items] == [("width * height", word)]
    assert "    return width<|cursor|>\n" in editor.double.requests[-1].body["input"], "asked as if accepted"
    # Typing on with the widget still on "width": the same answer, no second call.
    editor.insert(uri, cursor, "i")
    longer = lsp.Range(start=word.start, end=lsp.Position(line=1, character=13))
    items = await editor.inline(uri, longer.end, selected=lsp.SelectedCompletionInfo(range=longer, text="width"))
    assert [(i.insert_text, i.range) for i in items] == [("width * height", longer)]
    assert len(editor.double.requests) == 1
    # An item that is no single-line text on the cursor's line is not extended (VS Code would not show it): no
    # call, no text.
    snippet = lsp.SelectedCompletionInfo(range=longer, text="while True:\n    pass")
    assert await editor.inline(uri, longer.end, invoked=True, selected=snippet) == []
    elsewhere = lsp.SelectedCompletionInfo(
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=cursor), text="x"
    )
    assert await editor.inline(uri, longer.end, invoked=True, selected=elsewhere) == []
    assert len(editor.double.requests) == 1


async def test_automatic_requests_wait_for_a_pause_and_only_the_last_one_calls(make_editor, double) -> None:
    editor = await make_editor(init_options={"completionDebounceMs": 300})
    uri = editor.open("area.py", FUNC)
    double.responder = lambda _r: replies.text("idth * height")
    first = asyncio.ensure_future(editor.inline(uri, AFTER_RETURN))
    editor.insert(uri, AFTER_RETURN, "w")
    second = asyncio.ensure_future(editor.inline(uri, lsp.Position(line=1, character=12)))
    assert await first == []  # superseded during its pause: never sent
    assert [i.insert_text for i in await second] == ["idth * height"]
    assert len(double.requests) == 1


def send_inline(editor, uri: str, position: lsp.Position, msg_id: str) -> asyncio.Future:
    """A request as VS Code sends it at each keystroke, with an id to cancel it by."""
    return asyncio.ensure_future(
        editor.client.protocol.send_request_async(
            lsp.TEXT_DOCUMENT_INLINE_COMPLETION, editor.inline_params(uri, position), msg_id=msg_id
        )
    )


def cancel(editor, pending: asyncio.Future, msg_id: str) -> None:
    """VS Code's $/cancelRequest for the request a keystroke made stale; its answer is ignored."""
    editor.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=msg_id))
    pending.add_done_callback(lambda f: f.cancelled() or f.exception())  # the cancelled error is expected


async def test_a_call_survives_the_keystrokes_that_match_its_answer_and_serves_the_rest(editor) -> None:
    # A fluent typist: the call goes out at the pause after "return ", then "w" and "i" are typed before the
    # model answers; VS Code cancels each stale request. The call stays, and its answer shows the rest.
    uri = editor.open("area.py", FUNC)
    gate = threading.Event()
    editor.double.script(replies.text("width * height").then(gate=gate))
    first = send_inline(editor, uri, AFTER_RETURN, "keystroke-0")
    await asyncio.to_thread(editor.double.wait_for_requests, 1, 30)
    for n, char in enumerate("wi", start=1):
        cancel(editor, first, f"keystroke-{n - 1}")
        editor.insert(uri, lsp.Position(line=1, character=10 + n), char)
        first = send_inline(editor, uri, lsp.Position(line=1, character=11 + n), f"keystroke-{n}")
        await editor.synced(uri)  # the request has read the document before the next keystroke changes it
    gate.set()
    answer = await first
    assert [item.insert_text for item in answer.items] == ["dth * height"]
    assert len(editor.double.requests) == 1 and editor.double.requests[0].aborted_at is None


async def test_a_keystroke_that_contradicts_the_answer_gets_no_stale_text_and_the_next_pause_asks_again(
    editor,
) -> None:
    uri = editor.open("area.py", FUNC)
    gate = threading.Event()
    editor.double.script(replies.text("width * height").then(gate=gate), replies.text("ength"))
    pending = send_inline(editor, uri, AFTER_RETURN, "before-l")
    await asyncio.to_thread(editor.double.wait_for_requests, 1, 30)
    cancel(editor, pending, "before-l")
    editor.insert(uri, AFTER_RETURN, "l")  # not what the model will say
    after_l = lsp.Position(line=1, character=12)
    waiting = send_inline(editor, uri, after_l, "after-l")
    # The server says the request waits on the call in flight (message order alone does not: the handler is a
    # task that may start after a later message is answered).
    while (await editor.completion_stats()).get("joined", 0) == 0:
        assert not waiting.done(), "the request did not wait for the call in flight"
    gate.set()
    assert await waiting is None, "no text meant for another prefix"
    assert editor.double.requests[0].aborted_at is None, "the call was let finish: it might have fitted"
    assert [i.insert_text for i in await editor.inline(uri, after_l)] == ["ength"]
    assert len(editor.double.requests) == 2


async def test_moving_the_cursor_deleting_or_closing_the_document_closes_the_call_in_flight(editor) -> None:
    uri = editor.open("area.py", FUNC)
    editor.double.responder = lambda _r: replies.hang()
    calls = 0

    async def keystroke(position: lsp.Position, name: str) -> asyncio.Future:
        """A request that makes a call (each waits for the model, which never answers here)."""
        nonlocal calls
        pending = send_inline(editor, uri, position, name)
        calls += 1
        await asyncio.to_thread(editor.double.wait_for_requests, calls, 30)
        return pending

    async def closed(call: int) -> None:
        assert (await asyncio.to_thread(editor.double.wait_for_abort, call, 30)).aborted_at is not None

    # The cursor moves back on the line (no text typed): the call's place is left.
    cancel(editor, await keystroke(AFTER_RETURN, "at-end"), "at-end")
    moved = await keystroke(lsp.Position(line=1, character=4), "moved")
    await closed(0)
    cancel(editor, moved, "moved")
    # Backspace at the cursor (after the cursor went back to the end, which closed the call at column 4).
    cancel(editor, await keystroke(AFTER_RETURN, "back"), "back")
    await closed(1)
    editor.type(uri, lsp.Position(line=1, character=10), AFTER_RETURN, "")
    deleted = await keystroke(lsp.Position(line=1, character=10), "deleted")
    await closed(2)
    cancel(editor, deleted, "deleted")
    # The document is closed.
    editor.client.text_document_did_close(
        lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    await closed(3)
    assert [r.aborted_at is not None for r in editor.double.requests] == [True] * 4


async def test_a_newer_request_closes_the_call_of_the_one_it_supersedes(editor) -> None:
    uri = editor.open("area.py", FUNC + "\n\ndef volume(w, h, d):\n    return \n")
    gate = threading.Event()
    editor.double.script(replies.hang(), replies.text("w * h * d").then(gate=gate))
    first = asyncio.ensure_future(editor.inline(uri, AFTER_RETURN, invoked=True))
    await asyncio.to_thread(editor.double.wait_for_requests, 1, 30)
    second = asyncio.ensure_future(editor.inline(uri, lsp.Position(line=5, character=11), invoked=True))
    aborted = await asyncio.to_thread(editor.double.wait_for_abort, 0, 30)
    assert aborted.aborted_at is not None
    gate.set()
    assert await first == []
    assert [i.insert_text for i in await second] == ["w * h * d"]


async def test_an_answer_for_a_document_that_changed_meanwhile_is_not_returned(editor) -> None:
    uri = editor.open("area.py", FUNC)
    gate = threading.Event()
    editor.double.script(replies.text("width * height").then(gate=gate))
    pending = asyncio.ensure_future(editor.inline(uri, AFTER_RETURN, invoked=True))
    await asyncio.to_thread(editor.double.wait_for_requests, 1, 30)
    editor.insert(uri, lsp.Position(line=0, character=0), "# area\n")
    await editor.synced(uri)
    gate.set()
    assert await pending == []


async def test_no_call_for_excluded_or_binary_files_or_without_a_key(make_editor, editor, double) -> None:
    secret = editor.open(".env.py", FUNC)
    binary = editor.open("blob.py", "def f():\n    return \x00\n")
    assert await editor.inline(secret, AFTER_RETURN, invoked=True) == []
    assert await editor.inline(binary, lsp.Position(line=1, character=11), invoked=True) == []
    keyless = await make_editor(env={"OPENAI_API_KEY": ""})
    uri = keyless.open("area.py", FUNC)
    assert await keyless.inline(uri, AFTER_RETURN, invoked=True) == []
    off = await make_editor(init_options={"completionsDisabledLanguages": ["python"]})
    uri = off.open("area.py", FUNC)
    assert await off.inline(uri, AFTER_RETURN, invoked=True) == []
    assert double.requests == []


async def test_the_daily_budget_pauses_automatic_completions_and_hovers_but_not_actions(make_editor, double) -> None:
    editor = await make_editor(env={"GPTLS_DAILY_BUDGET": "0.000001"}, init_options={"completionDebounceMs": 0})
    uri = editor.open("area.py", FUNC)
    double.responder = lambda _r: replies.text("width * height")
    assert await editor.inline(uri, AFTER_RETURN, invoked=True)  # asked for: it goes on
    editor.insert(uri, lsp.Position(line=0, character=0), "\n")
    assert await editor.inline(uri, lsp.Position(line=2, character=11)) == []
    assert await editor.hover(uri, lsp.Position(line=1, character=5)) is None
    assert len(double.requests) == 1
    budget_messages = [m for m in editor.messages() if "dailyBudget" in m]
    assert len(budget_messages) == 1 and "Actions you pick still run" in budget_messages[0]
    report = await editor.execute(lsp.Command(title="usage", command="gptls.usage"))
    assert report["kinds"]["completions"]["calls"] == 1 and report["todayUsd"] > 0
    assert report["completionStats"]["paused"] == 1


async def test_consecutive_completions_in_a_file_share_a_cached_prefix(editor) -> None:
    body = "".join(f"def helper_{i}(value):\n    return value + {i}\n\n\n" for i in range(120))
    uri = editor.open("helpers.py", body + "def last(value):\n    return \n")
    editor.double.responder = lambda _r: replies.text("value")
    end = len(body.split("\n")) - 1
    await editor.inline(uri, lsp.Position(line=end + 1, character=11), invoked=True)
    editor.insert(uri, lsp.Position(line=end + 1, character=11), "value")
    editor.insert(uri, lsp.Position(line=end + 2, character=0), "\n")
    await editor.inline(uri, lsp.Position(line=end + 2, character=0), invoked=True)
    report = await editor.execute(lsp.Command(title="usage", command="gptls.usage"))
    cached = report["kinds"]["completions"]["cachedInputTokens"]
    assert cached >= 1024 and cached % 128 == 0


async def test_completions_use_their_own_model_and_a_retired_one_is_replaced(make_editor, double) -> None:
    editor = await make_editor(init_options={"completionModel": "gpt-5-mini-2025-08-07"})
    uri = editor.open("area.py", FUNC)
    double.responder = lambda _r: replies.text("width * height")
    assert await editor.inline(uri, AFTER_RETURN, invoked=True)
    assert double.requests[-1].body["model"] == "gpt-5-mini-2025-08-07"
    # The completion model (one OpenAI announced it shuts down) is gone: the router's rules apply, as for actions.
    double.models["gpt-5-mini-2025-08-07"] = replace(GPT5_MINI, retired=True)
    editor.insert(uri, lsp.Position(line=0, character=0), "\n")
    assert await editor.inline(uri, lsp.Position(line=2, character=11), invoked=True)
    assert double.requests[-1].body["model"] == "gpt-6.1-terra"
