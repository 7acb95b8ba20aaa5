// The VS Code side of gptls: start the server, pass settings and the key, show status. Everything with
// logic in it lives in the small modules beside this one.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { join } from "node:path";
import * as vscode from "vscode";
import {
  type ApplyWorkspaceEditParams,
  type ApplyWorkspaceEditResult,
  CancellationToken,
  ExecuteCommandRequest,
  type HandlerResult,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
  WorkDoneProgressCancelNotification,
} from "vscode-languageclient/node";
import { SECRET_NAME, clearKey, keySource, serverEnvironment, storeKey, validateKey } from "./apiKey";
import { type Environment, type ImportStrategy, findOnPath, isNotFound, resolveServerCommand } from "./serverCommand";
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
import {
  CHECK_COMMAND,
  RUN_COMMAND,
  SHOW_LAST_REQUEST_COMMAND,
  STATUS_NOTIFICATION,
  type StatusParams,
  USAGE_COMMAND,
} from "./protocol";
import { DISCARDED, type Review, applied, confirmed, reviewMessage, reviewable } from "./review";
import { MENU_COMMAND, RestartQueue, StatusOwner, type StatusView, menuItems, progressChanges } from "./status";
import { Notices } from "./notices";
import { shownText } from "./shown";

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let status: StatusOwner | undefined;
const restarts = new RestartQueue();
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
  command("gptls.editWithInstruction", () => editWithInstruction());
  const showCompletions = () =>
    status?.completions(vscode.workspace.getConfiguration("gptls").get<boolean>("completions", true));
  showCompletions();
  command("gptls.toggleCompletions", async () => {
    const config = vscode.workspace.getConfiguration("gptls");
    await config.update("completions", !config.get<boolean>("completions", true), vscode.ConfigurationTarget.Global);
  });
  command("gptls.showLog", () => output?.show(true));
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(REVIEW_SCHEME, {
      provideTextDocumentContent: (uri) => proposals.get(uri.toString()) ?? "",
    }),
  );

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
  await start(context);
}

export async function deactivate(): Promise<void> {
  for (const close of notified.values()) {
    close(); // the server goes: so do its calls
  }
  notified.clear();
  await client?.stop();
  client = undefined;
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
          return review ? reviewEdit(params, review, go) : go(params);
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
        gptls: { reviewEdits: true, notices: true },
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

const REVIEW_SCHEME = "gptls-review";
const LAST_REQUEST = vscode.Uri.from({ scheme: "gptls-request", path: "/last request.md" });
const proposals = new Map<string, string>();
let reviews = 0;

/** Show the change as a diff (the file as it is, as it would be) and ask Apply / Discard; Apply hands the edit
 * to VS Code, which refuses it if the file changed meanwhile (the version the server named). */
async function reviewEdit(
  params: ApplyWorkspaceEditParams,
  review: Review,
  next: (params: ApplyWorkspaceEditParams) => HandlerResult<ApplyWorkspaceEditResult, void>,
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
    const choice = await vscode.window.showInformationMessage(reviewMessage(review.label, review.note), "Apply", "Discard");
    await closeReview(proposal);
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

/** Each model call still running after a second: a notification with its title and a working Cancel. */
const notified = new Map<string, () => void>();
function showCancellable(running: LanguageClient, params: StatusParams): void {
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

/** Restarts are queued: a settings change during a restart (or a second click) waits, never overlaps. */
function restart(context: vscode.ExtensionContext): Promise<void> {
  return restarts.run(async () => {
    await deactivate();
    status?.clearError();
    await start(context);
  });
}

/** "gptls: Edit with Instruction…": the selection (or the function at the cursor) rewritten as the user says. */
async function editWithInstruction(): Promise<void> {
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
  await serverCommand(RUN_COMMAND, {
    action: "instruct",
    uri: editor.document.uri.toString(),
    range: {
      start: { line: selection.start.line, character: selection.start.character },
      end: { line: selection.end.line, character: selection.end.character },
    },
    version: editor.document.version,
    instruction: instruction.trim(),
  });
}

async function serverCommand(name: string, ...args: unknown[]): Promise<unknown> {
  if (!client || !status?.current.running) {
    vscode.window.showErrorMessage("gptls is not running: see 'gptls: Show Log'.");
    return undefined;
  }
  // The server shows the result (and any error, with what to do) as a message.
  return client.sendRequest(ExecuteCommandRequest.type, { command: name, arguments: args });
}

function nodeEnvironment(): Environment {
  const isExecutable = async (path: string) => {
    try {
      await access(path, constants.X_OK);
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  };
  return {
    which: (name) => findOnPath(name, process.env.PATH, isExecutable),
    isExecutable,
    canImportGptls: (python) =>
      new Promise((resolve) => {
        execFile(python, ["-c", "import gptls"], { timeout: 15000 }, (error) => resolve(!error));
      }),
    pythonVersion: (python) =>
      new Promise((resolve) => {
        const script = "import sys; print(sys.version_info[0], sys.version_info[1])";
        execFile(python, ["-I", "-c", script], { timeout: 15000 }, (error, stdout) => {
          const [major, minor] = String(stdout).trim().split(" ").map(Number);
          resolve(error || !Number.isInteger(major) || !Number.isInteger(minor) ? undefined : [major, minor]);
        });
      }),
    pythonExtensionInterpreter: async () => {
      const python = vscode.extensions.getExtension("ms-python.python");
      if (!python) {
        return undefined;
      }
      try {
        const api = python.isActive ? python.exports : await python.activate();
        return api?.environments?.getActiveEnvironmentPath?.()?.path;
      } catch {
        return undefined;
      }
    },
  };
}
