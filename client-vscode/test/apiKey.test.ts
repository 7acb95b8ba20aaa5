import { describe, expect, it } from "vitest";
import { SECRET_NAME, clearKey, keySource, serverEnvironment, storeKey, validateKey } from "../src/apiKey";

describe("API key handling", () => {
  it("hands the stored key to the server process environment, over an inherited one", () => {
    const env = serverEnvironment({ PATH: "/bin", OPENAI_API_KEY: "sk-inherited", UNSET: undefined }, "sk-stored-key");
    expect(env).toEqual({ PATH: "/bin", OPENAI_API_KEY: "sk-stored-key" });
  });

  it("keeps the inherited OPENAI_API_KEY when nothing is stored", () => {
    expect(serverEnvironment({ OPENAI_API_KEY: "sk-inherited" }, undefined).OPENAI_API_KEY).toBe("sk-inherited");
  });

  it("stores and clears the key in secret storage only", async () => {
    const saved = new Map<string, string>();
    const secrets = {
      get: async (k: string) => saved.get(k),
      store: async (k: string, v: string) => void saved.set(k, v),
      delete: async (k: string) => void saved.delete(k),
    };
    await storeKey(secrets, "  sk-proj-0123456789abcdefghij  ");
    expect(saved.get(SECRET_NAME)).toBe("sk-proj-0123456789abcdefghij");
    await clearKey(secrets);
    expect(saved.has(SECRET_NAME)).toBe(false);
  });

  it("rejects keys that cannot be right", () => {
    expect(validateKey("")).toBeTruthy();
    expect(validateKey("sk-with space 0123456789")).toBeTruthy();
    expect(validateKey("sk-short")).toBeTruthy();
    expect(validateKey("sk-proj-0123456789abcdefghij")).toBeUndefined();
  });

  it("describes where the key comes from without showing it", () => {
    const secret = "sk-proj-0123456789abcdefghij";
    for (const text of [keySource(secret, undefined), keySource(undefined, secret), keySource(undefined, undefined)]) {
      expect(text).not.toContain(secret);
    }
    expect(keySource(undefined, undefined)).toContain("gptls: Set API Key");
  });
});
