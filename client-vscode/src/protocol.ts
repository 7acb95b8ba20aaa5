// The names gptls adds to LSP, as the server declares them (server/gptls/lsp/protocol.py; a test there keeps
// the two equal).
export const RUN_COMMAND = "gptls.runAction";
export const USAGE_COMMAND = "gptls.usage";
export const CHECK_COMMAND = "gptls.check";
export const SHOW_LAST_REQUEST_COMMAND = "gptls.showLastRequest";
export const STATUS_NOTIFICATION = "gptls/status";

/** The params of the gptls/status notification. */
export interface StatusParams {
  inFlight?: number;
  lastError?: string | null;
}
