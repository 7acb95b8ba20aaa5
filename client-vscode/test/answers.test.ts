import { describe, expect, it } from "vitest";
import { Transcript, fenced, literal } from "../src/answers";

describe("Transcript", () => {
  it("streams an answer as inert text, then shows the server's Markdown; a follow-up adds a turn", () => {
    const t = new Transcript();
    t.ask("what does it do?", false);
    expect(t.stream("c-1", "It sums [x](https://evil.example) ``` ![i](http://x/y.png)")).toBe(true);
    const streaming = t.render();
    // The raw words are inside a fence longer than any backtick run they hold: no link or image renders.
    expect(streaming).toContain("````text\nIt sums [x](https://evil.example)");
    t.done("c-1", "**About** it sums\\.");
    expect(t.render()).toContain("**About** it sums\\.");
    expect(t.render()).not.toContain("````text");
    t.ask("and empty?", true);
    expect(t.stream("c-1", "0")).toBe(true);
    expect(t.render().split("---").length).toBe(2);
    expect(t.conversation).toBe("c-1");
  });

  it("ignores pieces of another conversation and starts afresh on a new ask", () => {
    const t = new Transcript();
    t.ask("q", false);
    t.stream("c-1", "a");
    t.done("c-1", "A");
    t.ask("next", true);
    expect(t.stream("c-2", "stray")).toBe(false);
    t.ask("new", false);
    expect(t.conversation).toBeUndefined();
    expect(t.exchanges.length).toBe(1);
  });

  it("shows the question literally and an error as text", () => {
    expect(literal("[click](http://x) *b*")).toBe("\\[click\\]\\(http\\://x\\) \\*b\\*");
    const t = new Transcript();
    t.ask("q", false);
    t.failed("no key");
    expect(t.render()).toContain("*no key*");
    expect(fenced("a ```` b")).toMatch(/^`{5}text/);
  });
});
