"""Landlock (Linux >= 5.13): the fallback boundary where user namespaces (so bubblewrap) are not allowed.

Applied in the child between fork and exec, so only the candidate is restricted: read and execute only
the interpreter's files, read-write only its own temporary directory, no TCP (ABI 4+), no signals to or
abstract sockets of processes outside (ABI 6+). With the seccomp filter loaded after it, the candidate
cannot start processes, open sockets, send signals, change file modes, owners, times or attributes, or trace
anything either, whatever the kernel's ABI: the filter does not depend on Landlock's scoping.
"""

from __future__ import annotations

import ctypes
import os
import platform
from collections.abc import Iterable

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Filesystem rights, and the ABI that introduced each.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
READ = EXECUTE | READ_FILE | READ_DIR
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def abi() -> int:
    """The Landlock ABI version this kernel offers; 0 when it has none (or this is not Linux)."""
    if platform.system() != "Linux":
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    version = libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(0, int(version))


def fs_rights(version: int) -> int:
    return max((mask for level, mask in _FS_BY_ABI.items() if level <= version), default=0)


class Prepared:
    """A ruleset and a seccomp program made in the parent; ``apply()`` in the child is three syscalls and no
    allocation or import (the child of a threaded process must not take locks another thread may hold)."""

    def __init__(
        self, read_only: Iterable[str], read_write: Iterable[str], seccomp_filter: bytes, max_abi: int = 0
    ) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.ruleset = -1
        # max_abi: behave as a kernel offering only that ABI would (the seccomp filter holds what it lacks).
        version = min(abi(), max_abi) if max_abi > 0 else abi()
        if version < 1:
            raise OSError("Landlock is not available")
        attr = _RulesetAttr(handled_access_fs=fs_rights(version))
        size = ctypes.sizeof(_RulesetAttr) if version >= 6 else 16 if version >= 4 else 8
        if version >= 4:
            attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
        if version >= 6:
            attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        ruleset = self._libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
        if ruleset < 0:
            raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
        self.ruleset = int(ruleset)
        try:
            for paths, rights in ((read_only, READ), (read_write, int(attr.handled_access_fs))):
                for path in paths:
                    _allow(self._libc, self.ruleset, path, rights & int(attr.handled_access_fs))
        except BaseException:
            self.close()
            raise
        self._buffer = ctypes.create_string_buffer(seccomp_filter, len(seccomp_filter))
        self._fprog = _SockFprog(len=len(seccomp_filter) // 8, filter=ctypes.cast(self._buffer, ctypes.c_void_p))
        self._fprog_ref = ctypes.byref(self._fprog)
        self._prctl = self._libc.prctl
        self._syscall = self._libc.syscall

    def apply(self) -> None:
        """In the child, before exec: no capabilities, no new privileges, the ruleset, the seccomp filter.
        Raises OSError."""
        # A server run as root would give root's capabilities to the candidate: empty the bounding set, so
        # exec grants none even to uid 0 (as bwrap's --cap-drop ALL does). Without CAP_SETPCAP this fails,
        # and there is nothing to drop.
        for capability in range(64):
            self._prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
        if self._prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError("PR_SET_NO_NEW_PRIVS failed")
        if self._syscall(SYS_RESTRICT_SELF, self.ruleset, 0) != 0:
            raise OSError("landlock_restrict_self failed")
        if self._prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self._fprog_ref, 0, 0) != 0:
            raise OSError("loading the seccomp filter failed")

    def close(self) -> None:
        if self.ruleset >= 0:
            os.close(self.ruleset)
            self.ruleset = -1


def _allow(libc: ctypes.CDLL, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path this machine does not have
    try:
        if not os.path.isdir(path):
            rights &= EXECUTE | WRITE_FILE | READ_FILE | (1 << 14)  # only file rights apply to a file
        rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
        if libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
