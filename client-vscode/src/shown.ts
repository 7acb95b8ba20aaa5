// Text the server passes on (a model's note, a settings-defined action's title, an error that quotes a file)
// made safe for a VS Code message, notification or tooltip. VS Code turns `[label](https:…)` and
// `[label](command:…)` in a message into a link that opens a page or runs a command, so `](` is shown as
// `] (`; control characters and bidirectional overrides are shown as escapes, not obeyed. The same rule as the
// server's `message_text` (server/gptls/text/shown.py): applied again here so that no path from server text to
// the user skips it.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` as a message shows it: no link, no command link, no control character. */
export function shownText(text: string): string {
  return text
    .split("\r\n")
    .map((part) => part.replace(CONTROL, visible))
    .join("\r\n")
    .replace(/\]\(/g, "] (");
}
