"""The indexing worker: a child process that reads and parses files for the index, so ``ast.parse`` never
holds the language server's GIL. One JSON line per batch in (the paths), one length-prefixed pickle out."""

from __future__ import annotations

import json
import pickle
import struct
import sys

from gptls.index.workspace import summarize_batch


def main() -> None:
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        data = pickle.dumps(summarize_batch(request["paths"], int(request["max_bytes"])))
        out.write(struct.pack("<Q", len(data)) + data)
        out.flush()


if __name__ == "__main__":
    main()
