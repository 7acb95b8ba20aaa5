// Each model call still running after a second: a notification with its title and a Cancel that reaches the
// server ($/progress cancel), which closes the HTTP call.
import * as vscode from "vscode";
import { type LanguageClient, WorkDoneProgressCancelNotification } from "vscode-languageclient/node";
import type { StatusParams } from "./protocol";
import { shownText } from "./shown";
import { progressChanges } from "./status";

const notified = new Map<string, () => void>();
export function showCancellable(running: LanguageClient, params: StatusParams): void {
  const { start, finish } = progressChanges(new Set(notified.keys()), params.progress);
  for (const token of finish) {
    notified.get(token)?.();
    notified.delete(token);
  }
  for (const { token, title } of start) {
    let close: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (close = resolve));
    notified.set(token, () => close());
    setTimeout(() => {
      if (!notified.has(token)) {
        return; // ended within a second: the status bar was enough
      }
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: shownText(`gptls: ${title}`), cancellable: true },
        (_progress, cancel) => {
          cancel.onCancellationRequested(() => {
            void running.sendNotification(WorkDoneProgressCancelNotification.type, {
              token: /^\d+$/.test(token) ? Number(token) : token,
            });
          });
          return done;
        },
      );
    }, 1000);
  }
}

/** The server goes: so do its calls' notifications. */
export function closeAllCancellable(): void {
  for (const close of notified.values()) {
    close();
  }
  notified.clear();
}
