// The gptls settings VS Code holds, turned into what the server reads (initializationOptions and the
// answers to workspace/configuration). Plain TypeScript so it is unit-tested without VS Code.

/** Setting names shared with the server (camelCase, as the server's README documents them). */
export const SERVER_SETTINGS = [
  "model",
  "fallbackModels",
  "reasoningEffort",
  "verbosity",
  "maxOutputTokens",
  "serviceTier",
  "store",
  "baseUrl",
  "hover",
  "maxConcurrentCalls",
  "contextBudget",
  "indexMaxFiles",
  "exclude",
  "timeout",
  "maxRetries",
  "stream",
  "sandbox",
  "bwrapPath",
  "organization",
  "project",
  "deadline",
  "maxRetryWait",
  "maxSelectionChars",
  "cacheSize",
  "truncation",
  "promptCacheKey",
  "temperature",
  "topP",
  "verifiedAction",
  "verifyRounds",
  "sandboxTimeout",
  "sandboxMemoryMb",
  "prices",
  "previewEdits",
  "actions",
  "completions",
  "completionsDisabledLanguages",
  "completionModel",
  "completionEffort",
  "completionMaxOutputTokens",
  "completionDebounceMs",
  "dailyBudget",
] as const;

export type ServerSetting = (typeof SERVER_SETTINGS)[number];

/**
 * Settings that decide where the API key goes, what program runs and what OpenAI keeps. The server takes them
 * only from its environment (or the user's gptls config file), never from editor settings, which may be a
 * project's (.vscode/settings.json). So the extension reads them from the user's own settings only
 * (`inspect().globalValue`) and passes them as these environment variables. Kept equal to the server's
 * PROTECTED table by tests/unit/test_config.py.
 */
export const PROTECTED_SETTINGS: Record<string, string> = {
  baseUrl: "OPENAI_BASE_URL",
  organization: "OPENAI_ORG_ID",
  project: "OPENAI_PROJECT_ID",
  sandbox: "GPTLS_SANDBOX",
  bwrapPath: "GPTLS_BWRAP_PATH",
  store: "GPTLS_STORE",
  prices: "GPTLS_PRICES",
  dailyBudget: "GPTLS_DAILY_BUDGET",
  previewEdits: "GPTLS_PREVIEW_EDITS",
};

/** Settings about how the server starts: a program path the user alone may choose. */
export const SERVER_START_SETTINGS = ["server.path", "server.python", "server.importStrategy"] as const;

/** The layers of one setting, as `WorkspaceConfiguration.inspect` gives them. */
export interface SettingLayers {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Reads the layers of one setting of the `gptls` section. */
export type LayerReader = (name: string) => SettingLayers | undefined;

/**
 * The environment variables for the protected settings the user set in their own (global) settings. A
 * workspace or folder value is never used; its name is returned in `ignored` so the user can be told.
 */
export function protectedEnvironment(read: LayerReader): { env: Record<string, string>; ignored: string[] } {
  const env: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [name, variable] of Object.entries(PROTECTED_SETTINGS)) {
    const layers = read(name);
    if (layers?.workspaceValue !== undefined || layers?.workspaceFolderValue !== undefined) {
      ignored.push(name);
    }
    const value = layers?.globalValue;
    if (value === undefined || value === null || value === "") {
      continue;
    }
    env[variable] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { env, ignored };
}

/** A server start setting from the user's own settings only (a workspace may not pick the program). */
export function userValue<T>(read: LayerReader, name: string): T | undefined {
  const value = read(name)?.globalValue;
  return value === undefined || value === null ? undefined : (value as T);
}

/** Server start settings a workspace tried to set: ignored, and the user is told. */
export function ignoredStartSettings(read: LayerReader): string[] {
  return SERVER_START_SETTINGS.filter((name) => {
    const layers = read(name);
    return layers?.workspaceValue !== undefined || layers?.workspaceFolderValue !== undefined;
  });
}

/** The `gptls` section as sent to the server (workspace/configuration): without the protected settings. */
export function withoutProtected(section: unknown): unknown {
  if (!section || typeof section !== "object" || Array.isArray(section)) {
    return section;
  }
  const copy: Record<string, unknown> = { ...(section as Record<string, unknown>) };
  for (const name of Object.keys(PROTECTED_SETTINGS)) {
    delete copy[name];
  }
  delete copy.server;
  return copy;
}

/** Reads one setting of the `gptls` section, as `vscode.workspace.getConfiguration("gptls").get` does. */
export type SettingReader = (name: string) => unknown;

/**
 * The initializationOptions for the server: every server setting that has a value. Empty strings are left
 * out so the server keeps its own default (or the environment's, for baseUrl).
 */
export function initializationOptions(read: SettingReader): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const name of SERVER_SETTINGS) {
    if (name in PROTECTED_SETTINGS) {
      continue; // passed through the environment, from the user's own settings only
    }
    const value = read(name);
    if (value === undefined || value === null || value === "") {
      continue;
    }
    options[name] = Array.isArray(value) ? [...value] : value;
  }
  return options;
}

/** True when a configuration change needs the server restarted (how it is started, not what it does). */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects("gptls.server");
}
