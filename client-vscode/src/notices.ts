// Notifications that go away by themselves once what they report is resolved: "no API key" once a key is set
// (or the demo runs), "demo" once the demo stops. VS Code gives an extension no way to close a message shown
// with showErrorMessage; a progress shown as a notification is the one kind it can close, and a notification
// renders command links in its text, which stand in for buttons.

import { needsKey, type ServerStatus } from "./status";

export type NoticeId = "noKey" | "demo";

/** Shows a notice's text and returns what closes it. */
export type ShowNotice = (text: string) => () => void;

export const NO_KEY_NOTICE =
  "gptls: no OpenAI API key. [Set API Key](command:gptls.setApiKey) or [Try the Demo](command:gptls.tryDemo)";
export const DEMO_NOTICE =
  "gptls demo: canned answers, nothing sent. [Stop the Demo](command:gptls.stopDemo) or " +
  "[Set API Key](command:gptls.setApiKey)";

/** The notices the server's state calls for. A server that is starting or stopped says nothing new: a notice
 * stays through a restart until a running server's status says it is resolved. */
export function wantedNotices(status: Readonly<ServerStatus>): ReadonlySet<NoticeId> | undefined {
  if (!status.running || status.starting) {
    return undefined;
  }
  const wanted = new Set<NoticeId>();
  if (status.demo) {
    wanted.add("demo");
  } else if (needsKey(status)) {
    wanted.add("noKey");
  }
  return wanted;
}

const TEXTS: Record<NoticeId, string> = { noKey: NO_KEY_NOTICE, demo: DEMO_NOTICE };

/** The notices on screen, kept equal to what the status calls for: each shown once, closed when resolved. */
export class Notices {
  private readonly open = new Map<NoticeId, () => void>();

  constructor(private readonly show: ShowNotice) {}

  update(status: Readonly<ServerStatus>): void {
    const wanted = wantedNotices(status);
    if (!wanted) {
      return;
    }
    for (const [id, close] of [...this.open]) {
      if (!wanted.has(id)) {
        close();
        this.open.delete(id);
      }
    }
    for (const id of wanted) {
      if (!this.open.has(id)) {
        this.open.set(id, this.show(TEXTS[id]));
      }
    }
  }

  closeAll(): void {
    for (const close of this.open.values()) {
      close();
    }
    this.open.clear();
  }

  get shown(): NoticeId[] {
    return [...this.open.keys()];
  }
}
