"""The Responses double in a process of its own, as a real backend is: ``python -m bench.backend DELAY``.

Prints its base URL, then answers every request with a complexity explanation after DELAY seconds, until
its stdin closes.
"""

from __future__ import annotations

import sys

from tests.double import replies
from tests.double.server import ResponsesDouble

COMPLEXITY = {"time": "O(n)", "space": "O(1)", "explanation": "One pass."}


def main() -> None:
    delay = float(sys.argv[1])
    double = ResponsesDouble().start()
    # A stand-in for the real API: its answers' shapes are checked by the tests, not timed here.
    double.validate_answers = False
    double.responder = lambda _request: replies.json_output(COMPLEXITY).then(delay=delay)
    print(double.base_url, flush=True)
    sys.stdin.read()  # until the bench closes our stdin
    double.stop()
    if double.schema_violations:
        raise SystemExit(f"requests the real API would reject: {double.schema_violations}")


if __name__ == "__main__":
    main()
