// "gptls: Edit with Instruction…": the user types what to change; the server runs Edit as instructed on it.
import * as vscode from "vscode";
import { INSTRUCT_ACTION, RUN_COMMAND, type RunActionArguments } from "./protocol";

/** "gptls: Edit with Instruction…": the selection (or the function at the cursor) rewritten as the user says. */
export async function editWithInstruction(send: (command: string, ...args: unknown[]) => Promise<unknown>): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage("gptls: open a file and put the cursor in the code to edit.");
    return;
  }
  const instruction = await vscode.window.showInputBox({
    title: "gptls: Edit with Instruction",
    prompt: "What should change? (the selection, or the function at the cursor)",
    placeHolder: "make this async",
    ignoreFocusOut: true,
  });
  if (!instruction?.trim()) {
    return;
  }
  const selection = editor.selection;
  const request: RunActionArguments = {
    action: INSTRUCT_ACTION,
    uri: editor.document.uri.toString(),
    range: {
      start: { line: selection.start.line, character: selection.start.character },
      end: { line: selection.end.line, character: selection.end.character },
    },
    version: editor.document.version,
    instruction: instruction.trim(),
  };
  await send(RUN_COMMAND, request);
}
