// The review of an edit the server marks as needing confirmation, in VS Code: a diff of the file as it would be
// beside the file as it is, and a message with the model's note and Apply / Discard (the logic is review.ts).
import * as vscode from "vscode";
import type { ApplyWorkspaceEditParams, ApplyWorkspaceEditResult, HandlerResult } from "vscode-languageclient/node";
import { DISCARDED, type Review, applied, confirmed, reviewMessage } from "./review";
import { shownText } from "./shown";

/** The proposed text of each open review, as the diff's right side reads it. */
export function registerReviewView(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, {
    provideTextDocumentContent: (uri) => proposals.get(uri.toString()) ?? "",
  });
}

const REVIEW_SCHEME = "gptls-review";
const proposals = new Map<string, string>();
let reviews = 0;

/** Show the change as a diff (the file as it is, as it would be) and ask Apply / Discard; Apply hands the edit
 * to VS Code, which refuses it if the file changed meanwhile (the version the server named). */
export async function reviewEdit(
  params: ApplyWorkspaceEditParams,
  review: Review,
  next: (params: ApplyWorkspaceEditParams) => HandlerResult<ApplyWorkspaceEditResult, void>,
  refine: (uri: string, instruction: string) => void,
): Promise<HandlerResult<ApplyWorkspaceEditResult, void>> {
  const uri = vscode.Uri.parse(review.uri);
  const document = await vscode.workspace.openTextDocument(uri);
  const proposal = vscode.Uri.from({
    scheme: REVIEW_SCHEME,
    path: uri.path,
    query: String(++reviews),
  });
  proposals.set(proposal.toString(), applied(document.getText(), review.edits, (line, character) =>
    document.offsetAt(new vscode.Position(line, character)),
  ));
  try {
    await vscode.commands.executeCommand("vscode.diff", uri, proposal, shownText(`${review.label} (review)`), {
      preview: true,
    });
    const choice = await vscode.window.showInformationMessage(
      reviewMessage(review.label, review.note),
      "Apply",
      "Discard",
      "Refine…",
    );
    const instruction =
      choice === "Refine…"
        ? await vscode.window.showInputBox({
            title: "gptls: Refine",
            prompt: "What should change in this proposal? (the model sees its answer and your words)",
            placeHolder: "also keep the old name as an alias",
            ignoreFocusOut: true,
          })
        : undefined;
    await closeReview(proposal);
    if (instruction?.trim()) {
      refine(review.uri, instruction.trim()); // this proposal is set aside; the refined one comes for review
    }
    return choice === "Apply" ? next(confirmed(params)) : DISCARDED;
  } finally {
    proposals.delete(proposal.toString());
  }
}

async function closeReview(proposal: vscode.Uri): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposal.toString()) {
        await vscode.window.tabGroups.close(tab);
      }
    }
  }
}
