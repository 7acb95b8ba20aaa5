"""A seccomp filter for model-written code: no new processes, no sockets, no signals, no ptrace, no file
metadata changes, no SysV IPC, no ``prlimit`` on another process.

Written as a classic BPF program (the kernel's own format, read by ``bwrap --seccomp FD`` or loaded with
``prctl``), so nothing needs libseccomp. Threads stay allowed (``clone`` with ``CLONE_THREAD``); ``clone3``
answers ENOSYS, which makes the C library fall back to ``clone``, whose flags the filter can read. One
process, whatever the code does: no fork bomb, no ``setsid`` grandchild, no multiprocessing "spawn".

Landlock leaves a file's mode, owner, times and extended attributes to the code whatever it may read (so a
Landlock run could chmod the user's files), and scopes signals only from ABI 6: the filter refuses those calls
for both boundaries. ``prlimit64`` is allowed on the process itself only (pid 0), which the C library uses;
so are the calls that would renice, pin, reschedule or move the memory of another process of the user (the
editor: ``setpriority``, ``ioprio_set``, ``sched_setaffinity``, ``sched_setscheduler``, ``sched_setparam``,
``sched_setattr``, ``migrate_pages``, ``move_pages``), and ``kcmp``, which compares another process' files, is
refused.
"""

from __future__ import annotations

import platform
import struct

# Syscall numbers refused, per architecture (from the kernel's unistd tables).
_X86_64 = {
    "fork": 57,
    "vfork": 58,
    "socket": 41,
    "socketpair": 53,
    "kill": 62,
    "tkill": 200,
    "tgkill": 234,
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "mknod": 133,
    "mknodat": 259,
    "unshare": 272,
    "setns": 308,
    "mount": 165,
    "bpf": 321,
    "keyctl": 250,
    "add_key": 248,
    "request_key": 249,
    "perf_event_open": 298,
    "userfaultfd": 323,
    "pidfd_open": 434,
    "pidfd_send_signal": 424,
    "pidfd_getfd": 438,
    "io_uring_setup": 425,
    "rt_sigqueueinfo": 129,
    "rt_tgsigqueueinfo": 297,
    "chmod": 90,
    "fchmod": 91,
    "fchmodat": 268,
    "fchmodat2": 452,
    "chown": 92,
    "fchown": 93,
    "lchown": 94,
    "fchownat": 260,
    "utime": 132,
    "utimes": 235,
    "futimesat": 261,
    "utimensat": 280,
    "setxattr": 188,
    "lsetxattr": 189,
    "fsetxattr": 190,
    "removexattr": 197,
    "lremovexattr": 198,
    "fremovexattr": 199,
    "setxattrat": 463,
    "removexattrat": 466,
    "shmget": 29,
    "shmat": 30,
    "shmctl": 31,
    "shmdt": 67,
    "semget": 64,
    "semop": 65,
    "semctl": 66,
    "semtimedop": 220,
    "msgget": 68,
    "msgsnd": 69,
    "msgrcv": 70,
    "msgctl": 71,
    "kcmp": 312,
}
# Calls allowed on the calling process only (their first argument is a pid; 0 is the caller).
_X86_64_SELF = {
    "prlimit64": 302,
    "sched_setaffinity": 203,
    "sched_setscheduler": 144,
    "sched_setparam": 142,
    "sched_setattr": 314,
    "migrate_pages": 256,
    "move_pages": 279,
}
# Calls whose first argument says what the second names (PRIO_PROCESS 0, IOPRIO_WHO_PROCESS 1): allowed only
# for the calling process (that kind, and 0).
_X86_64_WHO = {"setpriority": (141, 0), "ioprio_set": (251, 1)}
_AARCH64 = {
    "socket": 198,
    "socketpair": 199,
    "kill": 129,
    "tkill": 130,
    "tgkill": 131,
    "ptrace": 117,
    "process_vm_readv": 270,
    "process_vm_writev": 271,
    "mknodat": 33,
    "unshare": 97,
    "setns": 268,
    "mount": 40,
    "bpf": 280,
    "keyctl": 219,
    "add_key": 217,
    "request_key": 218,
    "perf_event_open": 241,
    "userfaultfd": 282,
    "pidfd_open": 434,
    "pidfd_send_signal": 424,
    "pidfd_getfd": 438,
    "io_uring_setup": 425,
    "rt_sigqueueinfo": 138,
    "rt_tgsigqueueinfo": 240,
    "fchmod": 52,
    "fchmodat": 53,
    "fchmodat2": 452,
    "fchownat": 54,
    "fchown": 55,
    "utimensat": 88,
    "setxattr": 5,
    "lsetxattr": 6,
    "fsetxattr": 7,
    "removexattr": 14,
    "lremovexattr": 15,
    "fremovexattr": 16,
    "setxattrat": 463,
    "removexattrat": 466,
    "msgget": 186,
    "msgctl": 187,
    "msgrcv": 188,
    "msgsnd": 189,
    "semget": 190,
    "semctl": 191,
    "semtimedop": 192,
    "semop": 193,
    "shmget": 194,
    "shmctl": 195,
    "shmat": 196,
    "shmdt": 197,
    "kcmp": 272,
}
_AARCH64_SELF = {
    "prlimit64": 261,
    "sched_setaffinity": 122,
    "sched_setscheduler": 119,
    "sched_setparam": 118,
    "sched_setattr": 274,
    "migrate_pages": 238,
    "move_pages": 239,
}
_AARCH64_WHO = {"setpriority": (140, 0), "ioprio_set": (30, 1)}
# (audit arch, refused syscalls, clone, clone3, calls on the caller only, calls on "who" = the caller only)
ARCHES = {
    "x86_64": (0xC000003E, _X86_64, 56, 435, _X86_64_SELF, _X86_64_WHO),
    "aarch64": (0xC00000B7, _AARCH64, 220, 435, _AARCH64_SELF, _AARCH64_WHO),
}

CLONE_THREAD = 0x00010000
X32_SYSCALL_BIT = 0x40000000
RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
EPERM, ENOSYS = 1, 38

# BPF opcodes
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
JSET_K = 0x45
RET_K = 0x06

# struct seccomp_data offsets (ARG0_HIGH: the upper half of the 64-bit argument, little-endian)
NR, ARCH, ARG0, ARG0_HIGH, ARG1, ARG1_HIGH = 0, 4, 16, 20, 24, 28


def supported() -> bool:
    return platform.system() == "Linux" and platform.machine() in ARCHES


def no_processes_filter(machine: str | None = None) -> bytes:
    """The filter as ``struct sock_filter[]`` bytes; ValueError on an architecture it does not know."""
    arch, refused, clone, clone3, self_only, who_only = ARCHES[machine or platform.machine()]
    numbers = sorted(set(refused.values()))
    program: list[tuple[int, int, int, int]] = []

    def emit(code: int, jt: int, jf: int, k: int) -> None:
        program.append((code, jt, jf, k))

    # Layout: checks, then the four return statements at the end; jumps are relative, so filled at the end.
    body: list[tuple[str, int, str | None, str | None, int]] = [
        ("ld", LD_W_ABS, None, None, ARCH),
        ("arch", JEQ_K, None, "kill", arch),
        ("ld", LD_W_ABS, None, None, NR),
    ]
    if arch == ARCHES["x86_64"][0]:  # x32 syscalls are a second table on x86_64: refuse them all
        body.append(("x32", JGE_K, "eperm", None, X32_SYSCALL_BIT))
    body.append(("clone3", JEQ_K, "enosys", None, clone3))
    body += [(f"nr{n}", JEQ_K, "eperm", None, n) for n in numbers]
    # prlimit64(pid, ...) and the like: only pid 0 (this process); another pid is the server or the editor.
    body += [(f"self{n}", JEQ_K, "pid_low", None, n) for n in sorted(self_only.values())]
    # setpriority(which, who, ...), ioprio_set(which, who, ...): only "this process" (its kind, and who 0).
    body += [(f"who{n}", JEQ_K, f"which{which}", None, n) for n, which in sorted(who_only.values())]
    body.append(("clone", JEQ_K, None, "allow", clone))
    body.append(("ld", LD_W_ABS, None, None, ARG0))
    body.append(("thread", JSET_K, "allow", "eperm", CLONE_THREAD))
    body.append(("pid_low", LD_W_ABS, None, None, ARG0))
    body.append(("pid0", JEQ_K, None, "eperm", 0))
    body.append(("ld", LD_W_ABS, None, None, ARG0_HIGH))
    body.append(("pid0high", JEQ_K, "allow", "eperm", 0))
    for which in sorted({which for _n, which in who_only.values()}):
        body.append((f"which{which}", LD_W_ABS, None, None, ARG0))
        body.append((f"is{which}", JEQ_K, "who_low", "eperm", which))
    body.append(("who_low", LD_W_ABS, None, None, ARG1))
    body.append(("who0", JEQ_K, None, "eperm", 0))
    body.append(("ld", LD_W_ABS, None, None, ARG1_HIGH))
    body.append(("who0high", JEQ_K, "allow", "eperm", 0))
    returns = {"allow": RET_ALLOW, "eperm": RET_ERRNO | EPERM, "enosys": RET_ERRNO | ENOSYS, "kill": RET_KILL_PROCESS}
    order = list(returns)
    at = {name: len(body) + order.index(name) for name in order}
    at.update({name: index for index, (name, *_rest) in enumerate(body) if name not in ("ld", *order)})
    for index, (_name, code, jt, jf, k) in enumerate(body):
        if code == LD_W_ABS:
            emit(code, 0, 0, k)
            continue
        true = at[jt] - index - 1 if jt else 0
        false = at[jf] - index - 1 if jf else 0
        emit(code, true, false, k)
    for name in order:
        emit(RET_K, 0, 0, returns[name])
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
