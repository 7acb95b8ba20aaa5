// How to start the gptls server. By default the extension carries the server and its pure-Python
// dependencies in bundled/libs and runs them with a Python >= 3.9 it finds; `fromEnvironment` uses a gptls
// installed in that interpreter instead. Plain TypeScript with its effects passed in, so it is unit-tested.

export interface ServerCommand {
  command: string;
  args: string[];
  /** Extra environment for the server process (PYTHONPATH for the bundled server). */
  env: Record<string, string>;
  source: "server.path" | "server.python" | "python extension" | "PATH";
  bundled: boolean;
}

export interface NotFound {
  error: string;
}

export type ImportStrategy = "useBundled" | "fromEnvironment";

export interface Environment {
  /** Full path of an executable on PATH, or undefined. */
  which(name: string): Promise<string | undefined>;
  /** Whether a file exists and can be executed. */
  isExecutable(path: string): Promise<boolean>;
  /** The interpreter's [major, minor], or undefined when it does not run. */
  pythonVersion(python: string): Promise<[number, number] | undefined>;
  /** Whether `python -c "import gptls"` succeeds. */
  canImportGptls(python: string): Promise<boolean>;
  /** The interpreter selected in the Python extension, if it is installed. */
  pythonExtensionInterpreter(): Promise<string | undefined>;
}

export const MINIMUM_PYTHON: [number, number] = [3, 9];
export const PYTHON_HINT =
  "gptls needs Python 3.9 or newer. Install it (python.org, or your system's package manager: e.g. " +
  "`sudo apt install python3`, `brew install python`), or set gptls.server.python to one.";

export async function resolveServerCommand(
  settings: { path?: string; python?: string; importStrategy?: ImportStrategy },
  bundledLibs: string,
  env: Environment,
): Promise<ServerCommand | NotFound> {
  const path = settings.path?.trim();
  if (path) {
    if (await env.isExecutable(path)) {
      return { command: path, args: [], env: {}, source: "server.path", bundled: false };
    }
    return { error: `gptls.server.path is set to "${path}", which is not an executable file.` };
  }
  const strategy: ImportStrategy = settings.importStrategy === "fromEnvironment" ? "fromEnvironment" : "useBundled";
  const candidates: Array<[string | undefined, ServerCommand["source"]]> = [];
  const configured = settings.python?.trim();
  if (configured) {
    candidates.push([configured, "server.python"]);
  } else {
    candidates.push([await env.pythonExtensionInterpreter(), "python extension"]);
    candidates.push([await env.which("python3"), "PATH"]);
    candidates.push([await env.which("python"), "PATH"]);
  }
  const tried: string[] = [];
  for (const [python, source] of candidates) {
    if (!python || tried.includes(python)) {
      continue;
    }
    tried.push(python);
    const version = await env.pythonVersion(python);
    if (!version || compare(version, MINIMUM_PYTHON) < 0) {
      continue;
    }
    if (strategy === "useBundled") {
      return { command: python, args: ["-m", "gptls"], env: { PYTHONPATH: bundledLibs }, source, bundled: true };
    }
    if (await env.canImportGptls(python)) {
      return { command: python, args: ["-m", "gptls"], env: {}, source, bundled: false };
    }
  }
  const checked = tried.length ? ` (checked: ${tried.join(", ")})` : "";
  if (configured && tried.length === 1 && strategy === "useBundled") {
    return { error: `gptls.server.python ("${configured}") is not Python 3.9 or newer. ${PYTHON_HINT}` };
  }
  if (strategy === "fromEnvironment") {
    return {
      error:
        `gptls.server.importStrategy is "fromEnvironment", but no Python 3.9+ interpreter${checked} has gptls ` +
        `installed. Set it to "useBundled" to use the server this extension carries.`,
    };
  }
  return { error: `No Python 3.9 or newer was found${checked}. ${PYTHON_HINT}` };
}

function compare(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

export function isNotFound(result: ServerCommand | NotFound): result is NotFound {
  return "error" in result;
}

/** `which`: the first executable called `name` in the PATH entries, using the given access check. */
export async function findOnPath(
  name: string,
  pathVariable: string | undefined,
  isExecutable: (path: string) => Promise<boolean>,
  platform: string = process.platform,
): Promise<string | undefined> {
  const separator = platform === "win32" ? ";" : ":";
  const names = platform === "win32" ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  for (const dir of (pathVariable ?? "").split(separator)) {
    if (!dir) {
      continue;
    }
    for (const candidate of names) {
      const full = `${dir.replace(/[\\/]+$/, "")}${platform === "win32" ? "\\" : "/"}${candidate}`;
      if (await isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}
