// An edit the server marks as needing confirmation (a change annotation with needsConfirmation: Suggest
// refactor, Edit as instructed, edits defined in settings) is shown for review: a diff of the file as it would
// be beside the file as it is, and a message with the model's note and Apply / Discard. VS Code's refactor
// preview would start such a change unticked, so its Apply applied nothing. Plain TypeScript here; the
// extension passes the editor in.

import { shownText } from "./shown";

import type {
  AnnotatedTextEdit,
  ApplyWorkspaceEditParams,
  ApplyWorkspaceEditResult,
  TextDocumentEdit,
  TextEdit,
} from "vscode-languageclient/node";
import { REVIEW_DISCARDED, REVIEW_NOTE_PREFIX } from "./protocol";

export interface Review {
  uri: string;
  edits: Array<TextEdit | AnnotatedTextEdit>;
  label: string;
  note: string;
}

/** The one document edit to review, or undefined when the edit is not one (then VS Code handles it). */
export function reviewable(params: ApplyWorkspaceEditParams): Review | undefined {
  const annotations = params.edit.changeAnnotations ?? {};
  const confirm = Object.entries(annotations).filter(([, a]) => a.needsConfirmation);
  const changes = params.edit.documentChanges ?? [];
  if (confirm.length === 0 || changes.length !== 1 || !("textDocument" in changes[0]) || params.edit.changes) {
    return undefined;
  }
  const [, annotation] = confirm[0];
  const change = changes[0] as TextDocumentEdit;
  if (!change.edits.every((e) => "newText" in e)) {
    return undefined; // snippet edits: VS Code's own preview
  }
  return {
    uri: change.textDocument.uri,
    edits: change.edits as Array<TextEdit | AnnotatedTextEdit>,
    label: annotation.label,
    note: noteOf(annotation.description ?? ""),
  };
}

/** The model's note in a change annotation's description (the server puts the shared prefix before it). */
export function noteOf(description: string): string {
  return description.startsWith(REVIEW_NOTE_PREFIX) ? description.slice(REVIEW_NOTE_PREFIX.length).trim() : description.trim();
}

/** ``text`` with the edits applied; ``offsetAt`` maps an LSP position in ``text`` to an offset. */
export function applied(
  text: string,
  edits: Array<TextEdit | AnnotatedTextEdit>,
  offsetAt: (line: number, character: number) => number,
): string {
  const spans = edits
    .map((e) => ({ start: offsetAt(e.range.start.line, e.range.start.character), end: offsetAt(e.range.end.line, e.range.end.character), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  let result = text;
  for (const span of spans) {
    result = result.slice(0, span.start) + span.text + result.slice(span.end);
  }
  return result;
}

/** The same edit with nothing left that asks for confirmation: what Apply hands to VS Code. */
export function confirmed(params: ApplyWorkspaceEditParams): ApplyWorkspaceEditParams {
  const documentChanges = (params.edit.documentChanges ?? []).map((change) =>
    "textDocument" in change
      ? { ...change, edits: change.edits.map((e) => ("newText" in e ? { range: e.range, newText: e.newText } : e)) }
      : change,
  );
  return { ...params, edit: { documentChanges } };
}

export const DISCARDED: ApplyWorkspaceEditResult = { applied: false, failureReason: REVIEW_DISCARDED };

/** What the review message says: the action and, when the model gave one, its note. */
export function reviewMessage(label: string, note: string): string {
  const shown = note ? `${label}: ${note}` : `${label}: review the change (diff opened beside the file).`;
  return shownText(shown);
}
