// How to start the gptls server: an explicit executable, an explicit interpreter, `gptls` on PATH, or the
// Python extension's interpreter. Plain TypeScript with its effects passed in, so it is unit-tested.

export interface ServerCommand {
  command: string;
  args: string[];
  source: "server.path" | "server.python" | "PATH" | "python extension";
}

export interface NotFound {
  error: string;
  installHint: string;
}

export interface Environment {
  /** Full path of an executable on PATH, or undefined. */
  which(name: string): Promise<string | undefined>;
  /** Whether a file exists and can be executed. */
  isExecutable(path: string): Promise<boolean>;
  /** Whether `python -c "import gptls"` succeeds. */
  canImportGptls(python: string): Promise<boolean>;
  /** The interpreter selected in the Python extension, if it is installed. */
  pythonExtensionInterpreter(): Promise<string | undefined>;
}

export const INSTALL_COMMAND = "python3 -m pip install gptls";

export async function resolveServerCommand(
  settings: { path?: string; python?: string },
  env: Environment,
): Promise<ServerCommand | NotFound> {
  const path = settings.path?.trim();
  if (path) {
    if (await env.isExecutable(path)) {
      return { command: path, args: [], source: "server.path" };
    }
    return notFound(`gptls.server.path is set to "${path}", which is not an executable file.`);
  }
  const python = settings.python?.trim();
  if (python) {
    if (await env.canImportGptls(python)) {
      return { command: python, args: ["-m", "gptls"], source: "server.python" };
    }
    return notFound(`gptls is not installed for the interpreter in gptls.server.python ("${python}").`, python);
  }
  const onPath = await env.which("gptls");
  if (onPath) {
    return { command: onPath, args: [], source: "PATH" };
  }
  const selected = await env.pythonExtensionInterpreter();
  if (selected && (await env.canImportGptls(selected))) {
    return { command: selected, args: ["-m", "gptls"], source: "python extension" };
  }
  return notFound("The gptls language server was not found (no gptls on PATH, no interpreter with gptls).", selected);
}

function notFound(error: string, python?: string): NotFound {
  const installHint = python ? `"${python}" -m pip install gptls` : INSTALL_COMMAND;
  return { error, installHint };
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
