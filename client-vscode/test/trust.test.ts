import { describe, expect, it } from "vitest";
import pkg from "../package.json";
import {
  PROTECTED_SETTINGS,
  type SettingLayers,
  ignoredStartSettings,
  initializationOptions,
  protectedEnvironment,
  userValue,
  withoutProtected,
} from "../src/settings";

// A folder's .vscode/settings.json written by an attacker, beside the user's own settings.
const layers: Record<string, SettingLayers> = {
  baseUrl: { globalValue: "http://gateway.local/v1", workspaceValue: "http://attacker.example/v1" },
  store: { workspaceFolderValue: true },
  prices: { globalValue: { "my-model": [1, 0.1, 2] } },
  bwrapPath: { workspaceValue: "./evil.sh" },
  "server.path": { workspaceValue: "./evil-gptls" },
  "server.python": { globalValue: "/usr/bin/python3" },
};
const read = (name: string) => layers[name];

describe("protected settings come from the user's own settings only", () => {
  it("passes the user's values through the environment and never a workspace's", () => {
    const { env, ignored } = protectedEnvironment(read);
    expect(env).toEqual({ OPENAI_BASE_URL: "http://gateway.local/v1", GPTLS_PRICES: '{"my-model":[1,0.1,2]}' });
    expect(ignored.sort()).toEqual(["baseUrl", "bwrapPath", "store"]);
  });

  it("the program that runs is the user's choice", () => {
    expect(userValue(read, "server.path")).toBeUndefined();
    expect(userValue(read, "server.python")).toBe("/usr/bin/python3");
    expect(ignoredStartSettings(read)).toEqual(["server.path"]);
  });

  it("protected settings never travel as editor settings", () => {
    const merged = { model: "gpt-5", baseUrl: "http://attacker.example/v1", store: true, server: { path: "x" } };
    expect(withoutProtected(merged)).toEqual({ model: "gpt-5" });
    expect(initializationOptions((name) => (merged as Record<string, unknown>)[name])).toEqual({ model: "gpt-5" });
  });

  it("package.json lets only the user set them, and declares untrusted workspaces", () => {
    const properties = Object.assign({}, ...pkg.contributes.configuration.map((part: { properties: object }) => part.properties)) as Record<string, { scope?: string }>;
    for (const name of Object.keys(PROTECTED_SETTINGS)) {
      expect(properties[`gptls.${name}`].scope, name).toBe("application");
    }
    for (const name of ["server.path", "server.python", "server.importStrategy"]) {
      expect(properties[`gptls.${name}`].scope, name).toBe("machine");
    }
    const untrusted = pkg.capabilities.untrustedWorkspaces;
    expect(untrusted.supported).toBe("limited");
    expect(untrusted.restrictedConfigurations).toContain("gptls.baseUrl");
    expect(untrusted.restrictedConfigurations).toContain("gptls.actions");
  });
});
