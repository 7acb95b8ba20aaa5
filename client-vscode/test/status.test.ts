import { describe, expect, it } from "vitest";
import {
  MENU_COMMAND,
  StatusOwner,
  type StatusView,
  menuItems,
  needsKey,
  progressChanges,
  statusView,
} from "../src/status";

describe("status bar", () => {
  it("ready", () => {
    expect(statusView({ running: true, starting: false, inFlight: 0 }).kind).toBe("ready");
  });
  it("working shows the number of calls in flight", () => {
    const view = statusView({ running: true, starting: false, inFlight: 3 });
    expect(view.kind).toBe("working");
    expect(view.text).toContain("3");
    expect(view.tooltip).toContain("3 calls");
  });
  it("error when the server is down or the last call failed; a click opens the menu", () => {
    for (const view of [
      statusView({ running: false, starting: false, inFlight: 0 }),
      statusView({ running: true, starting: false, inFlight: 0, lastError: "quota used up" }),
    ]) {
      expect(view.kind).toBe("error");
      expect(view.command).toBe(MENU_COMMAND);
    }
  });
});

describe("one status owner", () => {
  it("keeps the state consistent across what the client and the server report", () => {
    const shown: StatusView[] = [];
    const status = new StatusOwner((view) => shown.push(view));
    status.starting();
    status.running(true);
    status.server({ inFlight: 2 });
    expect(shown.at(-1)?.kind).toBe("working");
    status.running(false);
    expect(status.current.inFlight).toBe(0);
    expect(shown.at(-1)?.kind).toBe("error");
    status.failed("no python");
    expect(shown.at(-1)?.tooltip).toContain("not running");
  });
});

describe("today's cost and the completions toggle", () => {
  it("shows today's cost once there is one, and clicking opens the menu", () => {
    const view = statusView({ running: true, starting: false, inFlight: 0, todayUsd: 0.1234 });
    expect(view.text).toBe("$(check) gptls $0.12");
    expect(view.command).toBe(MENU_COMMAND);
    expect(statusView({ running: true, starting: false, inFlight: 0, todayUsd: 0.004 }).text).toBe("$(check) gptls <$0.01");
    expect(statusView({ running: true, starting: false, inFlight: 0 }).text).toBe("$(check) gptls");
  });
  it("one item says whether completions are on, and its menu turns them the other way", () => {
    const on = { running: true, starting: false, inFlight: 0, completions: true };
    const off = { ...on, completions: false };
    expect(statusView(on).text).toBe("$(check) gptls");
    expect(statusView(off).text).toBe("$(check) gptls $(circle-slash)");
    expect(statusView(off).tooltip).toContain("Inline completions are off");
    expect(menuItems(on)[0]).toEqual({ label: "$(circle-slash) Turn inline completions off", command: "gptls.toggleCompletions" });
    expect(menuItems(off)[0].label).toContain("Turn inline completions on");
    expect(menuItems(on).map((i) => i.command)).toContain("gptls.showUsage");
  });
  it("the menu offers the key and the demo when there is no key, and Stop the demo during it", () => {
    const keyless = { running: true, starting: false, inFlight: 0, lastError: "No OpenAI API key: set it", errorKind: "no-api-key" };
    expect(menuItems(keyless).map((i) => i.command)).toEqual(expect.arrayContaining(["gptls.setApiKey", "gptls.tryDemo"]));
    const demo = { running: true, starting: false, inFlight: 0, demo: true };
    expect(menuItems(demo).map((i) => i.command)).toContain("gptls.stopDemo");
    expect(menuItems(demo).map((i) => i.command)).not.toContain("gptls.tryDemo");
  });
});

describe("no API key", () => {
  it("the server's missing-key status is an error that offers Set API Key", () => {
    const lastError = "No OpenAI API key: set OPENAI_API_KEY in the environment the editor starts gptls in";
    expect(needsKey({ errorKind: "no-api-key" })).toBe(true);
    // The kind decides, not the words: a message that reads like it but is another kind asks for no key.
    expect(needsKey({ errorKind: "rate-limited" })).toBe(false);
    expect(needsKey({ errorKind: null })).toBe(false);
    expect(statusView({ running: true, starting: false, inFlight: 0, lastError }).kind).toBe("error");
  });
});

describe("cancellable calls", () => {
  it("new calls are shown, ended ones closed", () => {
    const shown = new Set(["a", "b"]);
    const changes = progressChanges(shown, [
      { token: "b", title: "Generate function" },
      { token: 7, title: "Suggest refactor" },
    ]);
    expect(changes.start).toEqual([{ token: "7", title: "Suggest refactor" }]);
    expect(changes.finish).toEqual(["a"]);
    expect(progressChanges(new Set(["x"]), undefined)).toEqual({ start: [], finish: ["x"] });
  });
});

describe("the demo", () => {
  it("shows in the status bar while the server answers from its canned stand-in", () => {
    const view = statusView({ running: true, starting: false, inFlight: 0, demo: true });
    expect(view.text).toBe("$(beaker) gptls demo");
    expect(view.tooltip).toContain("canned answers");
    expect(statusView({ running: true, starting: false, inFlight: 0, demo: false }).text).toBe("$(check) gptls");
  });
});

describe("the project index in the tooltip", () => {
  it("says how many files are indexed, while building, and why not more", () => {
    const owner = new StatusOwner(() => undefined);
    owner.running(true);
    owner.server({ indexed: { files: 20000, built: true, note: "52,000 source files, over indexMaxFiles (20,000)" } });
    const view = statusView(owner.current);
    expect(view.tooltip).toContain("Project index: 20,000 files (52,000 source files, over indexMaxFiles (20,000))");
    owner.server({ indexed: { files: 12, built: false, note: "" } });
    expect(statusView(owner.current).tooltip).toContain("Project index: 12 files, still being built.");
  });
});
