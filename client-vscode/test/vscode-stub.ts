// A stand-in for the `vscode` module: just what extension.ts touches, recording what it was asked to do.
export const calls = {
  errors: [] as string[],
  infos: [] as string[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  clipboard: [] as string[],
  statusTexts: [] as string[],
  config: new Map<string, unknown>(),
  secrets: new Map<string, string>(),
  errorChoice: undefined as string | undefined,
};

export const StatusBarAlignment = { Left: 1, Right: 2 };

export const window = {
  createOutputChannel: () => ({ appendLine: () => {}, show: () => {}, dispose: () => {} }),
  createStatusBarItem: () => {
    const item = {
      _text: "",
      tooltip: "",
      command: "",
      show: () => {},
      dispose: () => {},
      get text() {
        return item._text;
      },
      set text(value: string) {
        item._text = value;
        calls.statusTexts.push(value);
      },
    };
    return item;
  },
  showErrorMessage: async (message: string) => {
    calls.errors.push(message);
    return calls.errorChoice;
  },
  showInformationMessage: async (message: string) => {
    calls.infos.push(message);
    return undefined;
  },
  showInputBox: async () => undefined,
};

export const commands = {
  registerCommand: (name: string, run: (...args: unknown[]) => unknown) => {
    calls.commands.set(name, run);
    return { dispose: () => {} };
  },
  executeCommand: async () => undefined,
};

export const workspace = {
  // The stub's settings are the user's own (global) layer.
  getConfiguration: () => ({
    get: (name: string) => calls.config.get(name),
    inspect: (name: string) => ({ globalValue: calls.config.get(name) }),
  }),
  onDidChangeConfiguration: () => ({ dispose: () => {} }),
  registerTextDocumentContentProvider: () => ({ dispose: () => {} }),
};

export const extensions = { getExtension: () => undefined };

export const env = {
  clipboard: {
    writeText: async (text: string) => {
      calls.clipboard.push(text);
    },
  },
};

export function fakeContext() {
  return {
    subscriptions: [] as { dispose(): void }[],
    asAbsolutePath: (relative: string) => `/ext/${relative}`,
    secrets: {
      get: async (key: string) => calls.secrets.get(key),
      store: async (key: string, value: string) => {
        calls.secrets.set(key, value);
      },
      delete: async (key: string) => {
        calls.secrets.delete(key);
      },
    },
  };
}

export const Uri = {
  from: (parts: { scheme: string; path: string }) => ({ ...parts, toString: () => `${parts.scheme}:${parts.path}` }),
};

export class EventEmitter<T> {
  event = (_listener: (value: T) => void) => ({ dispose: () => {} });
  fire(_value: T): void {}
  dispose(): void {}
}
