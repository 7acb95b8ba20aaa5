// "gptls: Ask About Selection…" and "gptls: Ask a Follow-up…": the question goes to the server's gptls.ask; the
// answer streams into a read-only Markdown view beside the code (answers.ts writes its text).
import * as vscode from "vscode";
import { Transcript } from "./answers";
import { ASK_COMMAND } from "./protocol";

export const ANSWER_VIEW = vscode.Uri.from({ scheme: "gptls-answer", path: "/answer.md" });
type Send = (command: string, ...args: unknown[]) => Promise<unknown>;

export class AskView implements vscode.Disposable {
  private readonly transcript = new Transcript();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly provider: vscode.Disposable;

  constructor(private readonly send: Send) {
    this.provider = vscode.workspace.registerTextDocumentContentProvider(ANSWER_VIEW.scheme, {
      onDidChange: this.changed.event,
      provideTextDocumentContent: () => this.transcript.render(),
    });
  }

  dispose(): void {
    this.provider.dispose();
    this.changed.dispose();
  }

  /** A piece of an answer from the server's gptls/answer notification. */
  streamed(params: { conversation?: string; delta?: string }): void {
    if (typeof params.conversation === "string" && typeof params.delta === "string") {
      if (this.transcript.stream(params.conversation, params.delta)) {
        this.changed.fire(ANSWER_VIEW);
      }
    }
  }

  async askAboutSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme === ANSWER_VIEW.scheme) {
      void vscode.window.showInformationMessage("gptls: select code (or put the cursor in a function) to ask about.");
      return;
    }
    const question = await vscode.window.showInputBox({
      title: "gptls: Ask About Selection",
      prompt: "Your question about the selection (or the function at the cursor)",
      placeHolder: "why does this fail for an empty list?",
      ignoreFocusOut: true,
    });
    if (!question?.trim()) {
      return;
    }
    const { start, end } = editor.selection;
    await this.ask(question.trim(), false, {
      textDocument: { uri: editor.document.uri.toString() },
      range: {
        start: { line: start.line, character: start.character },
        end: { line: end.line, character: end.character },
      },
    });
  }

  async askFollowUp(): Promise<void> {
    if (!this.transcript.conversation) {
      void vscode.window.showInformationMessage("gptls: ask about a selection first (gptls: Ask About Selection…).");
      return;
    }
    const question = await vscode.window.showInputBox({
      title: "gptls: Ask a Follow-up",
      prompt: "Your follow-up question (the model sees the conversation so far)",
      ignoreFocusOut: true,
    });
    if (question?.trim()) {
      await this.ask(question.trim(), true, { conversation: this.transcript.conversation });
    }
  }

  private async ask(question: string, followUp: boolean, about: Record<string, unknown>): Promise<void> {
    this.transcript.ask(question, followUp);
    this.changed.fire(ANSWER_VIEW);
    const document = await vscode.workspace.openTextDocument(ANSWER_VIEW);
    await vscode.languages.setTextDocumentLanguage(document, "markdown");
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    const answer = (await this.send(ASK_COMMAND, { ...about, question })) as
      | { answer?: string; conversation?: string; error?: string }
      | undefined;
    if (answer?.answer && answer.conversation) {
      this.transcript.done(answer.conversation, answer.answer);
    } else {
      this.transcript.failed(answer?.error ?? "no answer (see 'gptls: Show Log')");
    }
    this.changed.fire(ANSWER_VIEW);
    if (answer?.answer) {
      const choice = await vscode.window.showInformationMessage("gptls: answered (beside the code).", "Ask a Follow-up");
      if (choice === "Ask a Follow-up") {
        await this.askFollowUp();
      }
    }
  }
}
