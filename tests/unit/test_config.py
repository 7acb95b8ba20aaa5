"""Settings: defaults, camelCase options, validation that keeps the previous value."""

from __future__ import annotations

from gptls.config import DEFAULT_BASE_URL, Secret, Settings
from gptls.config_sources import settings_from_env


def test_defaults_are_cheap_and_private() -> None:
    s = settings_from_env({})
    assert (s.model, s.reasoning_effort, s.store, s.service_tier) == ("gpt-5-mini", "low", False, "auto")
    assert s.temperature is None and s.top_p is None and s.truncation is None
    assert s.base_url == DEFAULT_BASE_URL and not s.api_key
    assert s.max_concurrent_calls == 4 and s.hover == "auto"


def test_camel_case_options_update_settings() -> None:
    update = Settings().updated(
        {
            "reasoningEffort": "high",
            "maxConcurrentCalls": 8,
            "exclude": ["*.mine"],
            "baseUrl": "http://localhost:4000/v1/",
            "model": "gpt-4.1-mini",
            "temperature": 0.2,
        }
    )
    s = update.settings
    assert (s.reasoning_effort, s.max_concurrent_calls, s.exclude[-1]) == ("high", 8, "*.mine")
    assert s.base_url == "http://localhost:4000/v1" and s.temperature == 0.2
    assert update.errors == () and update.unknown == ()


def test_invalid_values_keep_the_previous_value_and_explain() -> None:
    update = Settings().updated(
        {
            "reasoningEffort": "extreme",
            "maxConcurrentCalls": 0,
            "store": "yes",
            "baseUrl": "ftp://x",
            "hover": "sometimes",
        }
    )
    assert update.settings == Settings()
    assert len(update.errors) == 5
    assert any("reasoningEffort" in e and "none, minimal, low, medium, high, xhigh" in e for e in update.errors)


def test_newer_efforts_none_and_xhigh_are_accepted() -> None:
    assert Settings().updated({"reasoningEffort": "none"}).settings.reasoning_effort == "none"
    assert Settings().updated({"reasoningEffort": "xhigh"}).settings.reasoning_effort == "xhigh"


def test_temperature_and_top_p_are_refused_for_a_reasoning_model_with_a_warning() -> None:
    update = Settings().updated({"temperature": 0.2, "topP": 0.9})
    assert update.settings.temperature is None and update.settings.top_p is None
    assert len(update.errors) == 2
    assert "'temperature': gpt-5-mini is a reasoning model and refuses temperature" in update.errors[0]
    assert "Remove the setting" in update.errors[1] and "topP" in update.errors[1]
    # Switching to such a model later drops them too: they are never sent to it.
    kept = Settings().updated({"model": "gpt-4.1-mini", "temperature": 0.2}).settings
    assert kept.temperature == 0.2
    assert kept.updated({"model": "gpt-6.1-terra"}).settings.temperature is None


def test_fallback_models_default_to_the_named_successors_and_can_be_turned_off() -> None:
    assert Settings().fallback_models == ("gpt-6.1-terra", "gpt-5.6-terra")
    assert Settings().updated({"fallbackModels": []}).settings.fallback_models == ()
    update = Settings().updated({"fallbackModels": "gpt-6.1-terra"})
    assert update.settings.fallback_models == Settings().fallback_models
    assert "fallbackModels" in update.errors[0] and "list of model names" in update.errors[0]


def test_unknown_keys_are_reported_not_fatal() -> None:
    update = Settings().updated({"colour": "blue", "model": "gpt-5"})
    assert update.unknown == ("colour",) and update.settings.model == "gpt-5"


def test_the_key_never_shows_in_repr() -> None:
    s = Settings().updated({"apiKey": "sk-proj-supersecret123456"}).settings
    assert "supersecret" not in repr(s) and "supersecret" not in str(s.api_key)
    assert s.api_key == Secret("sk-proj-supersecret123456")


def test_cache_identity_changes_with_model_settings() -> None:
    a = Settings()
    assert a.cache_identity() != Settings().updated({"reasoningEffort": "high"}).settings.cache_identity()
    assert a.cache_identity() == Settings().updated({"hover": "off"}).settings.cache_identity()


def test_client_only_keys_are_ignored_silently_and_empty_means_default() -> None:
    changed = Settings().updated({"model": "gpt-5", "baseUrl": "http://proxy/v1"}).settings
    update = changed.updated(
        {"server": {"path": ""}, "trace": {"server": "off"}, "model": "", "baseUrl": "", "apiKey": ""}
    )
    assert update.unknown == () and update.errors == ()
    assert update.settings.model == "gpt-5-mini" and update.settings.base_url == settings_from_env().base_url


def test_the_extension_and_the_server_share_one_version() -> None:
    import json
    from pathlib import Path

    from gptls import __version__

    package = Path(__file__).resolve().parents[2] / "client-vscode" / "package.json"
    assert json.loads(package.read_text())["version"] == __version__, "set it in server/gptls/__init__.py and here"
