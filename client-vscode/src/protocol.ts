// The names gptls adds to LSP, as the server declares them (server/gptls/lsp/protocol.py; a test there keeps
// the two equal). vscode-languageclient registers a VS Code command for each server command, so none of these
// may equal a command the extension contributes itself (gptls.checkConnection runs gptls.check, and so on).
export const RUN_COMMAND = "gptls.runAction";
export const USAGE_COMMAND = "gptls.usage";
export const CHECK_COMMAND = "gptls.check";
export const SHOW_LAST_REQUEST_COMMAND = "gptls.lastRequest";
export const OPEN_FILE_COMMAND = "gptls.openWritten";
export const STATUS_NOTIFICATION = "gptls/status";
/** The failureReason of an edit the user discarded in the review (the server then says nothing). */
export const REVIEW_DISCARDED = "you discarded it in the review";
/** The status's errorKind when no API key is set (the extension then offers Set API Key / Try the Demo). */
export const NO_API_KEY = "no-api-key";
/** A reviewed edit's change annotation describes it as this prefix, then the model's note. */
export const REVIEW_NOTE_PREFIX = "Written by a model: review it before applying. ";
/** Ask about the code, or a follow-up ({conversation, question}); refine the last proposed edit of a document. */
export const ASK_COMMAND = "gptls.ask";
export const REFINE_COMMAND = "gptls.refine";
/** A piece of an answer as it streams in ({conversation, delta}), for a client that declares answerStream. */
export const ANSWER_NOTIFICATION = "gptls/answer";
/** The action a client runs with an instruction the user typed. */
export const INSTRUCT_ACTION = "instruct";

/** The argument of gptls.runAction: a code action's data, or the extension's own Edit with Instruction. */
export interface RunActionArguments {
  action: string;
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  version: number | null;
  diagnostics?: { message: string; code?: string | number | null; source?: string | null }[];
  instruction?: string;
}

/** The params of the gptls/status notification. */
export interface StatusParams {
  inFlight?: number;
  lastError?: string | null;
  /** What kind of error lastError is ("no-api-key", "rate-limited", "bad-api-key", "internal", …). */
  errorKind?: string | null;
  todayUsd?: number;
  /** Model calls showing progress, which the user may cancel. */
  progress?: { token: string | number; title: string }[];
  /** The server runs as `gptls demo` (canned answers). */
  demo?: boolean;
  /** How much of the workspace prompts can quote: files indexed, whether the crawl is done, why not more. */
  indexed?: IndexState;
}

export interface IndexState {
  files: number;
  built: boolean;
  note: string;
}
