"""Where settings come from: the user's own places (the environment and gptls' user config file), which alone
may set the protected settings, and what to tell the user when an editor tried to set one."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from gptls.config import DECLARATIONS, PROTECTED, ConfigUpdate, Settings, snake


def config_file_path(environ: Mapping[str, str] | None = None) -> str:
    """gptls' user config file: ``$XDG_CONFIG_HOME/gptls/config.json`` (or ``config.toml``), the JSON one
    when both exist."""
    env = os.environ if environ is None else environ
    home = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    folder = os.path.join(home, "gptls")
    toml = os.path.join(folder, "config.toml")
    if not os.path.exists(os.path.join(folder, "config.json")) and os.path.exists(toml):
        return toml
    return os.path.join(folder, "config.json")


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults overlaid with the environment (``OPENAI_*`` and ``GPTLS_*``); no config file."""
    return user_settings(environ, read_file=False).settings


def user_settings(environ: Mapping[str, str] | None = None, *, read_file: bool = True) -> ConfigUpdate:
    """The settings from the user's own places: the defaults, gptls' user config file, then the environment
    (``OPENAI_*`` as OpenAI's SDKs name them, ``GPTLS_*`` for the rest), which wins. Errors name where the
    bad value is; a bad value is left out."""
    env = os.environ if environ is None else environ
    state_home = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    settings = Settings(state_dir=os.path.join(state_home, "gptls"), config_file=config_file_path(env))
    errors: list[str] = []
    unknown: list[str] = []
    if read_file and os.path.exists(settings.config_file):
        options, error = read_settings_file(settings.config_file)
        if error:
            errors.append(error)
        else:
            update = settings.updated(options, base=settings)
            settings = update.settings
            errors += [f"{e} (in {settings.config_file})" for e in update.errors]
            unknown += [f"{key} (in {settings.config_file})" for key in update.unknown]
    changes: dict[str, Any] = {}
    for name, variable in PROTECTED.items():
        raw = env.get(variable, "").strip()
        if not raw:
            continue
        try:
            changes[name] = DECLARATIONS[name].value(_from_text(name, raw))
        except (TypeError, ValueError) as exc:
            errors.append(f"{variable}: {exc}; gptls ignores it")
    abi = env.get("GPTLS_LANDLOCK_ABI", "").strip()
    if abi.isdigit():
        changes["landlock_abi"] = int(abi)
    return ConfigUpdate(dataclasses.replace(settings, **changes), tuple(errors), tuple(unknown))


def read_settings_file(path: str) -> tuple[dict[str, Any], str]:
    """The settings object in a JSON or TOML file (optionally under a ``gptls`` key), or an error saying why
    there is none."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return {}, f"cannot read {path}: {exc.strerror or exc}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}, f"{path} is not UTF-8 text"
    try:
        if path.endswith(".toml"):
            options: Any = load_toml(text)
        else:
            options = json.loads(text)
    except ValueError as exc:
        return {}, f"{path} is not valid {'TOML' if path.endswith('.toml') else 'JSON'} ({exc})"
    if isinstance(options, dict) and isinstance(options.get("gptls"), dict):
        options = options["gptls"]
    if not isinstance(options, dict):
        return {}, f"{path} must hold an object of gptls settings"
    return options, ""


def ignored_setting_message(key: str, source: str, config_file: str) -> str:
    """Why a protected setting an editor sent was ignored, and where the user sets it instead."""
    declared = DECLARATIONS[snake(key)]
    return (
        f"gptls: ignored gptls.{key} from {source}: it decides {declared.protects}, and an editor's settings can "
        "come from the project you opened (.vscode/settings.json, .dir-locals.el). Set it in "
        f"{declared.env} in your environment or {config_file} (VS Code: in your user settings)."
    )


def _from_text(name: str, raw: str) -> Any:
    """An environment variable's text as the JSON value the setting's parser takes (by its kind of value)."""
    kind = DECLARATIONS[name].value.schema().get("type")
    if kind == "boolean":
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"must be true or false, got {raw!r}")
    if kind in ("number", "integer"):
        try:
            return float(raw) if kind == "number" else int(raw)
        except ValueError:
            raise ValueError(f"must be a number, got {raw!r}") from None
    if kind in ("object", "array"):
        try:
            return json.loads(raw)
        except ValueError:
            raise ValueError(f"must be a JSON {kind}") from None
    return raw


def load_toml(text: str) -> dict[str, Any]:
    """TOML text as a dict (tomllib, or its backport before 3.11). ValueError when it is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # the same parser, before it joined the standard library
        import tomli as tomllib

    return tomllib.loads(text)
