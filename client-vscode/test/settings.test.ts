import { describe, expect, it } from "vitest";
import { SERVER_SETTINGS, initializationOptions, needsRestart } from "../src/settings";
import pkg from "../package.json";

describe("settings -> initializationOptions", () => {
  it("passes every set value under the server's own names", () => {
    const values: Record<string, unknown> = {
      model: "gpt-5-mini",
      reasoningEffort: "medium",
      maxConcurrentCalls: 8,
      exclude: [".env*"],
      baseUrl: "",
    };
    expect(initializationOptions((name) => values[name])).toEqual({
      model: "gpt-5-mini",
      reasoningEffort: "medium",
      maxConcurrentCalls: 8,
      exclude: [".env*"],
    });
  });

  it("leaves out empty strings so the server keeps its default (or $OPENAI_BASE_URL)", () => {
    expect(initializationOptions(() => "")).toEqual({});
  });

  it("every server setting is contributed in package.json, with a description", () => {
    const properties = Object.assign({}, ...pkg.contributes.configuration.map((part: { properties: object }) => part.properties)) as Record<string, { description?: string; markdownDescription?: string }>;
    for (const name of SERVER_SETTINGS) {
      const property = properties[`gptls.${name}`];
      expect(property, name).toBeDefined();
      expect(property.description ?? property.markdownDescription, name).toBeTruthy();
    }
  });

  it("the contributed defaults are the server's defaults", () => {
    const properties = Object.assign({}, ...pkg.contributes.configuration.map((part: { properties: object }) => part.properties)) as Record<string, { default: unknown }>;
    expect(properties["gptls.model"].default).toBe("gpt-5-mini");
    expect(properties["gptls.reasoningEffort"].default).toBe("low");
    expect(properties["gptls.store"].default).toBe(false);
    expect(properties["gptls.maxConcurrentCalls"].default).toBe(4);
    expect(properties["gptls.hover"].default).toBe("auto");
  });

  it("only changes to how the server starts need a restart", () => {
    expect(needsRestart((s) => s === "gptls.server")).toBe(true);
    expect(needsRestart((s) => s === "gptls.model")).toBe(false);
  });
});
