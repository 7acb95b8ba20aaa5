"""The key never shows up in a log line, whatever logged it."""

from __future__ import annotations

import io
import logging

from gptls.redaction import protect, register_secret, scrub


def test_known_secrets_and_key_shapes_are_masked() -> None:
    register_secret("my-very-custom-secret-value")
    text = scrub("key my-very-custom-secret-value and sk-proj-abcdefghijklmnop1234 and Bearer xyz.abc")
    assert "custom-secret" not in text and "abcdefghijklmnop" not in text and "xyz.abc" not in text


def test_assignments_keep_the_name_and_hide_the_value() -> None:
    assert scrub('api_key = "hunter2hunter2"') == 'api_key = [REDACTED]"'
    assert scrub("password: correcthorsebattery") == "password: [REDACTED]"


def test_log_records_from_any_logger_and_their_tracebacks_are_scrubbed() -> None:
    stream = io.StringIO()
    handler = protect(logging.StreamHandler(stream))
    other = logging.getLogger("some.library")
    other.addHandler(handler)
    try:
        # Built at run time: a traceback shows source lines, which must not hold the key-shaped text.
        other.error("sending %s", "sk-" + "ab" * 11)
        try:
            raise ValueError("bad key sk-" + "zy" * 10)
        except ValueError:
            other.exception("failed")
    finally:
        other.removeHandler(handler)
    out = stream.getvalue()
    assert "abababab" not in out and "zyzyzyzy" not in out and "[REDACTED]" in out
    assert "ValueError" in out
