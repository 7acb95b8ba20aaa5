// The API key: kept in VS Code's SecretStorage, handed to the server process through its environment only.
// Never written to settings, never logged.

export const SECRET_NAME = "gptls.openaiApiKey";

export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** The server's environment: the extension host's, plus the stored key (which wins over the inherited one). */
export function serverEnvironment(
  inherited: Record<string, string | undefined>,
  storedKey: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inherited)) {
    if (value !== undefined) {
      env[name] = value;
    }
  }
  if (storedKey) {
    env.OPENAI_API_KEY = storedKey;
  }
  return env;
}

/** Why a typed key is not accepted, or undefined when it looks usable. */
export function validateKey(value: string): string | undefined {
  const key = value.trim();
  if (!key) {
    return "The key is empty.";
  }
  if (/\s/.test(key)) {
    return "The key must not contain spaces.";
  }
  if (key.length < 20) {
    return "That is too short for an OpenAI API key.";
  }
  return undefined;
}

/** Where the key comes from, for messages: never the key itself. */
export function keySource(storedKey: string | undefined, inherited: string | undefined): string {
  if (storedKey) {
    return "VS Code secret storage";
  }
  if (inherited) {
    return "the OPENAI_API_KEY environment variable";
  }
  return "nowhere (run 'gptls: Set API Key')";
}

export async function storeKey(secrets: SecretStore, value: string): Promise<void> {
  await secrets.store(SECRET_NAME, value.trim());
}

export async function clearKey(secrets: SecretStore): Promise<void> {
  await secrets.delete(SECRET_NAME);
}
