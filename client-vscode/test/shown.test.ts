import { describe, expect, it } from "vitest";
import { shownText } from "../src/shown";

describe("shownText", () => {
  it("leaves no link or command link in a message", () => {
    const shown = shownText("Done. [Apply](command:workbench.action.terminal.sendSequence?%7B%7D) [x](https://a.example)");
    expect(shown).not.toMatch(/\]\(/);
    expect(shown).toContain("[Apply] (command:");
  });
  it("shows control characters and bidi overrides as escapes", () => {
    expect(shownText("a\u001b]52;c;x\u0007b\u202ec")).toBe("a\\x1b]52;c;x\\x07b\\u202ec");
    expect(shownText("line\r\nnext\ttab")).toBe("line\r\nnext\ttab");
  });
  it("reads the same for ordinary text", () => {
    expect(shownText("gptls: Suggest refactor: Replaced the loop with sum().")).toBe(
      "gptls: Suggest refactor: Replaced the loop with sum().",
    );
  });
});
