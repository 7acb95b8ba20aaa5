import { describe, expect, it } from "vitest";
import { DEMO_NOTICE, NO_KEY_NOTICE, Notices } from "../src/notices";
import type { ServerStatus } from "../src/status";

const NO_KEY = "No OpenAI API key: set OPENAI_API_KEY, or gptls.apiKey in the editor.";
const running = (change: Partial<ServerStatus>): ServerStatus => ({
  running: true,
  starting: false,
  inFlight: 0,
  lastError: null,
  ...change,
});

/** Notices shown on a fake screen: what is open now, and how often each text was shown. */
function screen() {
  const open = new Set<string>();
  const shown: string[] = [];
  const notices = new Notices((text) => {
    open.add(text);
    shown.push(text);
    return () => open.delete(text);
  });
  return { notices, open, shown };
}

describe("notices close when what they report is resolved", () => {
  it("no key: shown once, however many statuses say it, and closed once a key is set", () => {
    const { notices, open, shown } = screen();
    notices.update(running({ lastError: NO_KEY, errorKind: "no-api-key" }));
    notices.update(running({ lastError: NO_KEY, errorKind: "no-api-key", inFlight: 1 }));
    expect([...open]).toEqual([NO_KEY_NOTICE]);
    expect(shown).toHaveLength(1);
    // The restart with the key: starting and the first state say nothing; the new server's status does.
    notices.update({ running: false, starting: true, inFlight: 0 });
    expect([...open]).toEqual([NO_KEY_NOTICE]);
    notices.update(running({}));
    expect([...open]).toEqual([]);
  });

  it("the demo replaces the no-key notice, and stopping it brings that back", () => {
    const { notices, open } = screen();
    notices.update(running({ lastError: NO_KEY, errorKind: "no-api-key" }));
    notices.update(running({ demo: true }));
    expect([...open]).toEqual([DEMO_NOTICE]);
    notices.update(running({ lastError: NO_KEY, errorKind: "no-api-key" }));
    expect([...open]).toEqual([NO_KEY_NOTICE]);
  });

  it("a failure other than the key opens nothing", () => {
    const { notices, open } = screen();
    notices.update(running({ lastError: "rate limited: wait 20 s" }));
    expect(open.size).toBe(0);
  });

  it("the notices offer their ways out as command links", () => {
    expect(NO_KEY_NOTICE).toContain("[Set API Key](command:gptls.setApiKey)");
    expect(NO_KEY_NOTICE).toContain("[Try the Demo](command:gptls.tryDemo)");
    expect(DEMO_NOTICE).toContain("[Stop the Demo](command:gptls.stopDemo)");
  });
});
