import { describe, expect, it } from "vitest";
import type { ApplyWorkspaceEditParams } from "vscode-languageclient/node";
import { REVIEW_NOTE_PREFIX } from "../src/protocol";
import { DISCARDED, applied, confirmed, noteOf, reviewMessage, reviewable } from "../src/review";

const range = (l1: number, c1: number, l2: number, c2: number) => ({
  start: { line: l1, character: c1 },
  end: { line: l2, character: c2 },
});

function refactor(needsConfirmation = true): ApplyWorkspaceEditParams {
  return {
    label: "gptls: Suggest refactor",
    edit: {
      documentChanges: [
        {
          textDocument: { uri: "file:///w/loop.py", version: 3 },
          edits: [{ range: range(1, 4, 3, 22), newText: "return sum(items)", annotationId: "gptls-review" }],
        },
      ],
      changeAnnotations: {
        "gptls-review": {
          label: "gptls: Suggest refactor",
          needsConfirmation,
          description: "Written by a model: review it before applying. Replaced the loop with sum().",
        },
      },
    },
  };
}

describe("review", () => {
  it("takes an edit that needs confirmation, with the model's note", () => {
    const review = reviewable(refactor());
    expect(review?.uri).toBe("file:///w/loop.py");
    expect(review?.label).toBe("gptls: Suggest refactor");
    expect(review?.note).toBe("Replaced the loop with sum().");
    expect(reviewMessage(review!.label, review!.note)).toBe("gptls: Suggest refactor: Replaced the loop with sum().");
  });

  it("leaves other edits to VS Code", () => {
    expect(reviewable(refactor(false))).toBeUndefined();
    expect(reviewable({ edit: { changes: { "file:///w/a.py": [] } } })).toBeUndefined();
  });

  it("shows the file as it would be after the edit", () => {
    const text = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n";
    const lines = text.split("\n");
    const offsetAt = (line: number, character: number) =>
      lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + character;
    const review = reviewable(refactor())!;
    expect(applied(text, review.edits, offsetAt)).toBe("def total(items):\n    return sum(items)\n    return result\n");
  });

  it("applies the same change, with nothing left asking for confirmation", () => {
    const edit = confirmed(refactor()).edit;
    expect(edit.changeAnnotations).toBeUndefined();
    expect(edit.documentChanges).toEqual([
      { textDocument: { uri: "file:///w/loop.py", version: 3 }, edits: [{ range: range(1, 4, 3, 22), newText: "return sum(items)" }] },
    ]);
    expect(DISCARDED.applied).toBe(false);
  });
});

describe("noteOf", () => {
  it("keeps the model's note after the server's shared prefix, and any other description whole", () => {
    expect(noteOf(`${REVIEW_NOTE_PREFIX}Renamed x to total.`)).toBe("Renamed x to total.");
    expect(noteOf("Written by a model, something else")).toBe("Written by a model, something else");
  });
});
