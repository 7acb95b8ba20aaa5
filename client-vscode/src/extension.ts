// The VS Code side of gptls: start the server, pass settings and the key, show status. Everything with
// logic in it lives in the small modules beside this one.
import { join } from "node:path";
import * as vscode from "vscode";
import {
  type ApplyWorkspaceEditParams,
  CancellationToken,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { SECRET_NAME, clearKey, keySource, serverEnvironment, storeKey, validateKey } from "./apiKey";
import { closeAllCancellable, showCancellable } from "./cancellable";
import { nodeEnvironment } from "./environment";
import { AskView } from "./askView";
import { editWithInstruction } from "./instruction";
import { ServerLifecycle } from "./lifecycle";
import { Notices } from "./notices";
import {
  ANSWER_NOTIFICATION,
  CHECK_COMMAND,
  REFINE_COMMAND,
  SHOW_LAST_REQUEST_COMMAND,
  STATUS_NOTIFICATION,
  type StatusParams,
  USAGE_COMMAND,
} from "./protocol";
import { reviewable } from "./review";
import { registerReviewView, reviewEdit } from "./reviewView";
import { type ImportStrategy, isNotFound, resolveServerCommand } from "./serverCommand";
import {
  type LayerReader,
  PROTECTED_SETTINGS,
  ignoredStartSettings,
  initializationOptions,
  needsRestart,
  protectedEnvironment,
  userValue,
  withoutProtected,
} from "./settings";
import { MENU_COMMAND, StatusOwner, type StatusView, menuItems } from "./status";
import { shownText } from "./shown";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let status: StatusOwner | undefined;
let lifecycle: ServerLifecycle | undefined;
let askView: AskView | undefined;
const LAST_REQUEST = vscode.Uri.from({ scheme: "gptls-request", path: "/last request.md" });
// "Try the Demo": the server answers from its canned local stand-in (`gptls demo`) until the user sets a key
// or restarts VS Code. Only the user's click turns it on: no setting, so no workspace can.
let demo = false;
const notices = new Notices(showNotice);

/** A notification the extension can close (see notices.ts): a progress whose title carries command links. */
function showNotice(text: string): () => void {
  let close: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (close = resolve));
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: text }, () => done);
  return () => close();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("gptls", { log: true });
  const statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  context.subscriptions.push(output, statusItem);
  status = new StatusOwner((view: StatusView) => {
    statusItem.text = view.text;
    statusItem.tooltip = view.tooltip;
    statusItem.command = view.command;
  });
  const command = (name: string, run: () => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(name, run));

  command("gptls.setApiKey", async () => {
    const value = await vscode.window.showInputBox({
      title: "gptls: OpenAI API key",
      prompt: "Stored in VS Code's secret storage and given only to the gptls server process.",
      password: true,
      ignoreFocusOut: true,
      validateInput: validateKey,
    });
    if (value !== undefined) {
      await storeKey(context.secrets, value);
      demo = false;
      await restart(context);
      vscode.window.showInformationMessage("gptls: API key stored; the server restarted with it.");
    }
  });
  command("gptls.clearApiKey", async () => {
    await clearKey(context.secrets);
    await restart(context);
    const inherited = process.env.OPENAI_API_KEY ? " OPENAI_API_KEY from the environment is used instead." : "";
    vscode.window.showInformationMessage(`gptls: API key removed from secret storage.${inherited}`);
  });
  command("gptls.checkConnection", () => serverCommand(CHECK_COMMAND));
  command("gptls.showUsage", () => serverCommand(USAGE_COMMAND));
  // The last request, in a read-only view (a virtual document: nothing to save, no "Untitled" left behind).
  let lastRequest = "";
  const lastRequestChanged = new vscode.EventEmitter<vscode.Uri>();
  context.subscriptions.push(
    lastRequestChanged,
    vscode.workspace.registerTextDocumentContentProvider(LAST_REQUEST.scheme, {
      onDidChange: lastRequestChanged.event,
      provideTextDocumentContent: () => lastRequest,
    }),
  );
  command("gptls.showLastRequest", async () => {
    const answer = (await serverCommand(SHOW_LAST_REQUEST_COMMAND)) as { text?: string | null } | undefined;
    lastRequest = answer?.text || "gptls has sent no request since it started.";
    lastRequestChanged.fire(LAST_REQUEST);
    const document = await vscode.workspace.openTextDocument(LAST_REQUEST);
    await vscode.window.showTextDocument(document, { preview: true });
  });
  command(MENU_COMMAND, async () => {
    if (!status) {
      return;
    }
    const chosen = await vscode.window.showQuickPick(menuItems(status.current), { title: "gptls" });
    if (chosen) {
      await vscode.commands.executeCommand(chosen.command);
    }
  });
  command("gptls.restartServer", () => restart(context));
  command("gptls.tryDemo", async () => {
    demo = true;
    await restart(context);
  });
  command("gptls.stopDemo", async () => {
    demo = false;
    await restart(context);
  });
  command("gptls.editWithInstruction", () => editWithInstruction(serverCommand));
  askView = new AskView(serverCommand);
  context.subscriptions.push(askView);
  command("gptls.askAboutSelection", () => askView?.askAboutSelection());
  command("gptls.askFollowUp", () => askView?.askFollowUp());
  const showCompletions = () =>
    status?.completions(vscode.workspace.getConfiguration("gptls").get<boolean>("completions", true));
  showCompletions();
  command("gptls.toggleCompletions", async () => {
    const config = vscode.workspace.getConfiguration("gptls");
    await config.update("completions", !config.get<boolean>("completions", true), vscode.ConfigurationTarget.Global);
  });
  command("gptls.showLog", () => output?.show(true));
  context.subscriptions.push(registerReviewView());

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      const affects = (section: string) => event.affectsConfiguration(section);
      if (affects("gptls.completions")) {
        showCompletions();
      }
      const protectedChanged = Object.keys(PROTECTED_SETTINGS).some((name) => affects(`gptls.${name}`));
      if (needsRestart(affects) || protectedChanged) {
        void restart(context);
      }
    }),
  );
  statusItem.show();
  // Every start, restart and stop goes through one queue that coalesces restarts (lifecycle.ts).
  lifecycle = new ServerLifecycle(stopClient, () => start(context));
  await lifecycle.requestRestart();
}

export async function deactivate(): Promise<void> {
  await lifecycle?.stop();
}

async function stopClient(): Promise<void> {
  closeAllCancellable(); // the server goes: so do its calls
  const running = client;
  client = undefined;
  await running?.stop();
}

/** A restart asked for while another waits to begin joins it: a burst of setting changes restarts once. */
function restart(_context: vscode.ExtensionContext): Promise<void> {
  return lifecycle?.requestRestart() ?? Promise.resolve();
}

const warnedIgnored = new Set<string>();

/** Once per setting: a workspace value of a protected or server setting is ignored, and the user is told. */
function warnIgnored(names: string[]): void {
  for (const name of names) {
    if (warnedIgnored.has(name)) {
      continue;
    }
    warnedIgnored.add(name);
    const message =
      `gptls: ignored gptls.${name} from this workspace's settings: it decides where your API key goes or ` +
      "what program runs, so only your user settings can set it.";
    output?.appendLine(message);
    void vscode.window.showWarningMessage(message);
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  status?.clearError();
  const config = vscode.workspace.getConfiguration("gptls");
  const layers: LayerReader = (name) => config.inspect(name);
  const { env: protectedEnv, ignored } = protectedEnvironment(layers);
  warnIgnored([...ignored, ...ignoredStartSettings(layers)]);
  const resolved = await resolveServerCommand(
    {
      path: userValue<string>(layers, "server.path"),
      python: userValue<string>(layers, "server.python"),
      importStrategy: userValue<ImportStrategy>(layers, "server.importStrategy"),
    },
    context.asAbsolutePath(join("bundled", "libs")),
    nodeEnvironment(),
  );
  if (isNotFound(resolved)) {
    status?.failed(resolved.error);
    output?.appendLine(resolved.error);
    const choice = await vscode.window.showErrorMessage(shownText(`gptls: ${resolved.error}`), "Open settings");
    if (choice === "Open settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "gptls.server");
    }
    return;
  }
  const storedKey = await context.secrets.get(SECRET_NAME);
  output?.appendLine(
    `Starting ${resolved.command} ${resolved.args.join(" ")} (found via ${resolved.source}` +
      `${resolved.bundled ? ", with the server this extension carries" : ""}); API key from ` +
      `${keySource(storedKey, process.env.OPENAI_API_KEY)}.`,
  );
  const serverOptions: ServerOptions = {
    command: resolved.command,
    args: demo ? [...resolved.args, "demo"] : resolved.args,
    transport: TransportKind.stdio,
    options: { env: { ...serverEnvironment(process.env, storedKey), ...protectedEnv, ...resolved.env } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
    initializationOptions: initializationOptions((name) => config.get(name)),
    outputChannel: output,
    middleware: {
      workspace: {
        // The server never takes protected settings from the editor (they may be a project's): leave them out,
        // and restart when the user's own value changes (it reaches the server through its environment).
        configuration: async (params, token, next) => {
          const answer = await next(params, token);
          return Array.isArray(answer) ? answer.map(withoutProtected) : answer;
        },
        handleApplyEdit: async (params, next) => {
          const review = reviewable(params);
          const go = (edit: ApplyWorkspaceEditParams) => next(edit, CancellationToken.None);
          return review ? reviewEdit(params, review, go, refine) : go(params);
        },
      },
    },
    synchronize: { configurationSection: "gptls" },
  };
  client = new LanguageClient("gptls", "gptls", serverOptions, clientOptions);
  client.registerFeature({
    // The server sends edits that need confirmation as workspace/applyEdit, for reviewEdit below.
    fillClientCapabilities: (capabilities) => {
      capabilities.experimental = {
        ...(capabilities.experimental as object),
        gptls: { reviewEdits: true, notices: true, answerStream: true },
      };
    },
    initialize: () => undefined,
    getState: () => ({ kind: "static" }),
    clear: () => undefined,
  });
  client.onDidChangeState((change) => {
    if (change.newState === State.Starting) {
      status?.starting();
    } else {
      status?.running(change.newState === State.Running);
    }
  });
  // gptls/status is handled from the start: the server sends its first one (e.g. "no API key") as soon as it
  // is initialized, which can come before client.start() resolves. Only the server's own status decides the
  // notices: "no key" stays through a restart until a server with a key says so.
  const running = client;
  client.onNotification(ANSWER_NOTIFICATION, (params: { conversation?: string; delta?: string }) =>
    askView?.streamed(params),
  );
  client.onNotification(STATUS_NOTIFICATION, (params: StatusParams) => {
    status?.server(params);
    showCancellable(running, params);
    if (status) {
      notices.update({ ...status.current, running: true, starting: false });
    }
  });
  status?.starting();
  try {
    await client.start();
  } catch (error) {
    status?.failed(`the server did not start: ${String(error)}`);
    return;
  }
}

/** Refine… in a review: the server rewrites the same code as the user says, and sends it for review again. */
function refine(uri: string, instruction: string): void {
  void serverCommand(REFINE_COMMAND, { textDocument: { uri }, instruction });
}

async function serverCommand(name: string, ...args: unknown[]): Promise<unknown> {
  if (!client || !status?.current.running) {
    vscode.window.showErrorMessage("gptls is not running: see 'gptls: Show Log'.");
    return undefined;
  }
  // The server shows the result (and any error, with what to do) as a message.
  return client.sendRequest(ExecuteCommandRequest.type, { command: name, arguments: args });
}

