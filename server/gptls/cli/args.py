"""Settings from the command line: the environment, an optional ``--config`` JSON file and flags."""

from __future__ import annotations

import argparse
import json
import re

from gptls.config import Settings
from gptls.config_sources import user_settings


def settings_from_args(args: argparse.Namespace) -> tuple[Settings, list[str]]:
    """Settings from the user's own places (the environment and the user config file), an optional
    ``--config`` JSON file and flags; returns (settings, errors). All of them are the user's: the command line
    is typed by the user, so protected settings are taken from ``--config`` and flags too.

    Any error (an unreadable or invalid file, an unknown key, a bad value, a bad flag) means the settings are
    not what the user meant: callers stop before sending anything."""
    loaded = user_settings()
    settings = loaded.settings
    errors: list[str] = list(loaded.errors) + [f"unknown gptls setting {key}" for key in loaded.unknown]
    config_path = getattr(args, "config", None)
    if config_path:
        try:
            with open(config_path, encoding="utf-8") as handle:
                options = json.load(handle)
        except OSError as exc:
            return settings, [f"cannot read --config {config_path}: {exc.strerror or exc}"]
        except UnicodeDecodeError:
            return settings, [f"--config {config_path} is not UTF-8 text"]
        except ValueError as exc:
            return settings, [f"--config {config_path} is not valid JSON ({exc})"]
        if isinstance(options, dict) and isinstance(options.get("gptls"), dict):
            options = options["gptls"]
        if not isinstance(options, dict):
            return settings, [f"--config {config_path} must hold a JSON object of gptls settings"]
        update = settings.updated(options, base=loaded.settings)
        settings = update.settings
        errors += [f"{error} (in {config_path})" for error in update.errors]
        errors += [f"unknown gptls setting {key!r} in {config_path}" for key in update.unknown]
    flags = {
        "model": args.model,
        "reasoningEffort": args.reasoning_effort,
        "baseUrl": args.base_url,
    }
    update = settings.updated({k: v for k, v in flags.items() if v is not None})
    errors += [error.replace("gptls setting 'baseUrl'", "--base-url") for error in update.errors]
    # In the editor a bad value keeps the previous one; here nothing runs, so nothing is "kept".
    return update.settings, [re.sub(r"; keeping .*$", "", error) for error in errors]
