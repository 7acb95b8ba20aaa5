// The status bar item's text, tooltip and click, from the client's state and the server's gptls/status.

export interface ServerStatus {
  running: boolean;
  starting: boolean;
  inFlight: number;
  lastError?: string | null;
}

export interface StatusView {
  text: string;
  tooltip: string;
  command: string;
  kind: "ready" | "working" | "error" | "starting";
}

export function statusView(status: ServerStatus): StatusView {
  if (status.starting) {
    return { text: "$(sync~spin) gptls", tooltip: "gptls is starting", command: "gptls.showLog", kind: "starting" };
  }
  if (!status.running) {
    return {
      text: "$(error) gptls",
      tooltip: "gptls is not running: click to open the log",
      command: "gptls.showLog",
      kind: "error",
    };
  }
  if (status.inFlight > 0) {
    const calls = status.inFlight === 1 ? "1 call" : `${status.inFlight} calls`;
    return { text: `$(sync~spin) gptls ${status.inFlight}`, tooltip: `gptls: ${calls} in flight`, command: "gptls.showLog", kind: "working" };
  }
  if (status.lastError) {
    return {
      text: "$(warning) gptls",
      tooltip: `gptls: ${status.lastError} (click to open the log)`,
      command: "gptls.showLog",
      kind: "error",
    };
  }
  return { text: "$(check) gptls", tooltip: "gptls is ready", command: "gptls.showLog", kind: "ready" };
}
