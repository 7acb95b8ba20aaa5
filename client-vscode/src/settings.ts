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
] as const;

export type ServerSetting = (typeof SERVER_SETTINGS)[number];

/** Reads one setting of the `gptls` section, as `vscode.workspace.getConfiguration("gptls").get` does. */
export type SettingReader = (name: string) => unknown;

/**
 * The initializationOptions for the server: every server setting that has a value. Empty strings are left
 * out so the server keeps its own default (or the environment's, for baseUrl).
 */
export function initializationOptions(read: SettingReader): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const name of SERVER_SETTINGS) {
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
