import { describe, expect, it } from "vitest";
import { ServerLifecycle } from "../src/lifecycle";

/** A server whose start and stop finish when the test says, recording what ran and whether two overlapped. */
function fakeServer() {
  const log: string[] = [];
  let active = 0;
  let overlapped = false;
  const gates: Array<() => void> = [];
  const step = (name: string) => async () => {
    active += 1;
    overlapped ||= active > 1;
    log.push(name);
    await new Promise<void>((resolve) => gates.push(resolve));
    active -= 1;
  };
  const release = async () => {
    while (gates.length) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  return { log, release, stop: step("stop"), start: step("start"), overlapped: () => overlapped };
}

describe("ServerLifecycle", () => {
  it("runs the first start through the queue: restarts asked for during it are one restart after it", async () => {
    const server = fakeServer();
    const lifecycle = new ServerLifecycle(server.stop, server.start);
    const first = lifecycle.requestRestart();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const again = [lifecycle.requestRestart(), lifecycle.requestRestart(), lifecycle.requestRestart()];
    for (let i = 0; i < 10; i++) {
      await server.release();
    }
    await Promise.all([first, ...again]);
    expect(server.log).toEqual(["stop", "start", "stop", "start"]);
    expect(server.overlapped()).toBe(false);
  });

  it("stops after what runs now, and starts nothing after the stop", async () => {
    const server = fakeServer();
    const lifecycle = new ServerLifecycle(server.stop, server.start);
    const starting = lifecycle.requestRestart();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the start is under way
    const queued = lifecycle.requestRestart(); // asked before the stop: never begins
    const stopping = lifecycle.stop();
    const late = lifecycle.requestRestart();
    for (let i = 0; i < 10; i++) {
      await server.release();
    }
    await Promise.all([starting, queued, stopping, late]);
    expect(server.log).toEqual(["stop", "start", "stop"]);
    expect(server.overlapped()).toBe(false);
  });

  it("goes on after a start that failed", async () => {
    const log: string[] = [];
    let fail = true;
    const lifecycle = new ServerLifecycle(async () => undefined, async () => {
      log.push("start");
      if (fail) {
        fail = false;
        throw new Error("no python");
      }
    });
    await expect(lifecycle.requestRestart()).rejects.toThrow("no python");
    await lifecycle.requestRestart();
    expect(log).toEqual(["start", "start"]);
  });
});
