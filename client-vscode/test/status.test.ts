import { describe, expect, it } from "vitest";
import { statusView } from "../src/status";

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
  it("error when the server is down or the last call failed; a click opens the log", () => {
    for (const view of [
      statusView({ running: false, starting: false, inFlight: 0 }),
      statusView({ running: true, starting: false, inFlight: 0, lastError: "quota used up" }),
    ]) {
      expect(view.kind).toBe("error");
      expect(view.command).toBe("gptls.showLog");
    }
  });
});
