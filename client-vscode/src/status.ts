// The status bar item's text, tooltip and click, from the client's state and the server's gptls/status.

import { type IndexState, NO_API_KEY, type StatusParams } from "./protocol";
import { shownText } from "./shown";

export interface ServerStatus {
  running: boolean;
  starting: boolean;
  inFlight: number;
  lastError?: string | null;
  /** What kind of error lastError is (protocol.ts StatusParams.errorKind). */
  errorKind?: string | null;
  todayUsd?: number;
  /** The server answers from its canned demo stand-in. */
  demo?: boolean;
  /** Inline completions are on (gptls.completions): shown in the same item, toggled from its menu. */
  completions?: boolean;
  indexed?: IndexState;
}

/** The project index in a sentence, for the tooltip. */
export function indexText(indexed: IndexState | undefined): string {
  if (!indexed) {
    return "";
  }
  const files = `${indexed.files.toLocaleString("en-US")} file${indexed.files === 1 ? "" : "s"}`;
  const note = indexed.note ? ` (${indexed.note})` : "";
  return ` Project index: ${files}${indexed.built ? "" : ", still being built"}${note}.`;
}

/** Today's estimated cost as the status bar shows it. */
export function costText(usd: number | undefined): string {
  if (!usd) {
    return "";
  }
  return usd < 0.01 ? " <$0.01" : ` $${usd.toFixed(2)}`;
}

export interface StatusView {
  text: string;
  tooltip: string;
  command: string;
  kind: "ready" | "working" | "error" | "starting";
}

/** The one gptls item in the status bar: the server's state, today's cost and whether completions are on;
 * a click opens the gptls menu (see menuItems). */
export function statusView(status: ServerStatus): StatusView {
  const view = serverView(status);
  const off = status.completions === false;
  return {
    ...view,
    text: off ? `${view.text} $(circle-slash)` : view.text,
    tooltip: shownText(
      `${view.tooltip}. Inline completions are ${off ? "off" : "on"}.${indexText(status.indexed)} Click for the gptls menu.`,
    ),
    command: MENU_COMMAND,
  };
}

export const MENU_COMMAND = "gptls.menu";

/** What the status item's menu offers, given the state: each a label and the command it runs. */
export function menuItems(status: ServerStatus): { label: string; command: string }[] {
  const items = [
    status.completions === false
      ? { label: "$(sparkle) Turn inline completions on", command: "gptls.toggleCompletions" }
      : { label: "$(circle-slash) Turn inline completions off", command: "gptls.toggleCompletions" },
    { label: "$(graph) Show today's usage", command: "gptls.showUsage" },
    { label: "$(output) Show the log", command: "gptls.showLog" },
    { label: "$(plug) Check the connection", command: "gptls.checkConnection" },
    { label: "$(file-code) Show the last request", command: "gptls.showLastRequest" },
  ];
  if (status.demo) {
    items.push({ label: "$(debug-stop) Stop the demo", command: "gptls.stopDemo" });
  }
  if (needsKey(status) || status.demo) {
    items.push({ label: "$(key) Set API key", command: "gptls.setApiKey" });
  }
  if (needsKey(status) && !status.demo) {
    items.push({ label: "$(beaker) Try the demo", command: "gptls.tryDemo" });
  }
  items.push({ label: "$(debug-restart) Restart the server", command: "gptls.restartServer" });
  return items;
}

function serverView(status: ServerStatus): StatusView {
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
      tooltip: shownText(`gptls: ${status.lastError} (click to open the log)`),
      command: "gptls.showLog",
      kind: "error",
    };
  }
  if (status.demo) {
    return {
      text: "$(beaker) gptls demo",
      tooltip: "gptls demo: canned answers, no model is asked ('gptls: Set API Key' for real ones)",
      command: "gptls.showLog",
      kind: "ready",
    };
  }
  const cost = costText(status.todayUsd);
  return {
    text: `$(check) gptls${cost}`,
    tooltip: `gptls is ready; today's estimated cost ~$${(status.todayUsd ?? 0).toFixed(4)} (click for usage)`,
    command: "gptls.showUsage",
    kind: "ready",
  };
}

/**
 * The one owner of the status: the extension reports what happened (client state, the server's gptls/status,
 * a start failure) and the owner keeps the state consistent and shows it.
 */
export class StatusOwner {
  private state: ServerStatus = { running: false, starting: false, inFlight: 0, lastError: null };

  constructor(private readonly show: (view: StatusView) => void) {
    this.show(statusView(this.state));
  }

  get current(): Readonly<ServerStatus> {
    return this.state;
  }

  starting(): void {
    this.set({ starting: true, running: false, inFlight: 0 });
  }

  running(running: boolean): void {
    this.set({ starting: false, running, ...(running ? {} : { inFlight: 0 }) });
  }

  failed(error: string): void {
    this.set({ starting: false, running: false, inFlight: 0, lastError: error, errorKind: "start" });
  }

  server(params: StatusParams): void {
    this.set({
      inFlight: params.inFlight ?? 0,
      lastError: params.lastError ?? null,
      errorKind: params.errorKind ?? null,
      todayUsd: params.todayUsd ?? this.state.todayUsd,
      demo: params.demo ?? false,
      indexed: params.indexed ?? this.state.indexed,
    });
  }

  completions(on: boolean): void {
    this.set({ completions: on });
  }

  clearError(): void {
    this.set({ lastError: null, errorKind: null });
  }

  private set(change: Partial<ServerStatus>): void {
    this.state = { ...this.state, ...change };
    this.show(statusView(this.state));
  }
}

/** The server's status says no API key is set: the user is offered "Set API Key". */
export function needsKey(status: Readonly<Pick<ServerStatus, "errorKind">>): boolean {
  return status.errorKind === NO_API_KEY;
}

/** What changed in the calls a user may cancel: those to show (new) and those to close (gone). */
export function progressChanges(
  shown: ReadonlySet<string>,
  progress: readonly { token: string | number; title: string }[] | undefined,
): { start: { token: string; title: string }[]; finish: string[] } {
  const now = new Map((progress ?? []).map((p) => [String(p.token), p.title]));
  return {
    start: [...now].filter(([token]) => !shown.has(token)).map(([token, title]) => ({ token, title })),
    finish: [...shown].filter((token) => !now.has(token)),
  };
}
