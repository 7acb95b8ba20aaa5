// The answer view's text: a conversation's questions and answers as Markdown. Plain TypeScript (the view
// itself is in extension.ts). An answer streams in as the model writes it: while it comes it is shown as
// plain text in a fenced block (the model's raw words can be no link or image there); once it is done the
// server's answer replaces it, through the same gate as a hover (gptls/text/shown.py).

export interface Exchange {
  question: string;
  streamed: string;
  answer?: string; // the server's Markdown, once done
  error?: string;
}

/** Markdown's special characters escaped: the user's question is shown as they typed it. */
export function literal(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&:]/g, "\\$&").replace(/\n/g, " ");
}

/** A fenced block no line of ``text`` can close. */
export function fenced(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}

export class Transcript {
  conversation: string | undefined;
  readonly exchanges: Exchange[] = [];

  /** A new question: a new conversation (``followUp`` false) or the next turn of this one. */
  ask(question: string, followUp: boolean): void {
    if (!followUp) {
      this.conversation = undefined;
      this.exchanges.length = 0;
    }
    this.exchanges.push({ question, streamed: "" });
  }

  /** A piece of the answer for ``conversation`` (the first piece of a new ask names it). */
  stream(conversation: string, delta: string): boolean {
    const last = this.exchanges.at(-1);
    if (!last || last.answer !== undefined || (this.conversation && this.conversation !== conversation)) {
      return false;
    }
    this.conversation = conversation;
    last.streamed += delta;
    return true;
  }

  done(conversation: string, answer: string): void {
    const last = this.exchanges.at(-1);
    if (last) {
      this.conversation = conversation;
      last.answer = answer;
    }
  }

  failed(error: string): void {
    const last = this.exchanges.at(-1);
    if (last) {
      last.error = error;
    }
  }

  render(): string {
    if (this.exchanges.length === 0) {
      return "Ask a question about the selection: gptls: Ask About Selection…\n";
    }
    return this.exchanges
      .map((e) => {
        const body = e.answer ?? (e.error ? `*${literal(e.error)}*` : e.streamed ? fenced(e.streamed) : "*asking…*");
        return `### ${literal(e.question)}\n\n${body}\n`;
      })
      .join("\n---\n\n");
  }
}
