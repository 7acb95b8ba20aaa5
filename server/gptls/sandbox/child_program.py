"""The program the sandboxed interpreter runs: load the candidate, run its doctests and the tests, report.

Kept as text, written next to the candidate, so nothing of gptls (or its dependencies) is importable in the
child. Its audit hook is a second layer only: the boundary is the kernel's (see ``sandbox/__init__.py``).
"""

RUNNER = r"""
import contextlib, doctest, io, json, os, sys, traceback, types

SOURCE = sys.argv[1]  # candidate.py, tests.py (read-only where the boundary allows)
ROOT = os.path.realpath(os.getcwd())  # the only writable place
LIMIT = int(sys.argv[3])
# The result goes to its own pipe, never stdout: text the code prints cannot pose as the result.
result_channel = os.fdopen(os.dup(int(sys.argv[2])), "w")
os.close(int(sys.argv[2]))

def inside(path):
    try:
        resolved = os.path.realpath(os.fsdecode(path))
    except Exception:
        return False
    return resolved == ROOT or resolved.startswith(ROOT + os.sep)

WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
PATH_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.symlink",
               "os.link", "os.truncate", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile",
               "os.chdir", "os.listdir", "os.scandir"}
REFUSED = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
           "os.forkpty", "os.kill", "os.killpg", "ctypes.", "os.startfile", "pty.", "webbrowser.")

def hook(event, args):
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if isinstance(path, int) or path is None:
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITES)
        if writing and not inside(path):
            raise PermissionError(f"gptls sandbox: writing outside the sandbox is refused ({path})")
    elif event in PATH_EVENTS:
        for path in args[:2]:
            if isinstance(path, (str, bytes, os.PathLike)) and not inside(path):
                if event in ("os.listdir", "os.scandir"):
                    return
                raise PermissionError(f"gptls sandbox: {event} outside the sandbox is refused ({path})")
    elif event.startswith(REFUSED):
        raise PermissionError(f"gptls sandbox: {event} is not allowed")
    elif event == "import" and args and args[0] in ("ctypes", "_ctypes"):
        raise ImportError("gptls sandbox: ctypes is not allowed")

code = open(os.path.join(SOURCE, "candidate.py"), encoding="utf-8").read()
tests = open(os.path.join(SOURCE, "tests.py"), encoding="utf-8").read()
import linecache  # tracebacks quote the failing line although the files are not in the working directory
for name, text in (("candidate.py", code), ("tests.py", tests)):
    linecache.cache[name] = (len(text), None, text.splitlines(True), name)
sys.addaudithook(hook)

module = types.ModuleType("candidate")
namespace = module.__dict__  # functions' globals must be the module's dict for doctest to find them
report = []
passed = True
printed = io.StringIO()
tested = False

def failure(title):
    kind, value, tb = sys.exc_info()
    frames = [f for f in traceback.extract_tb(tb) if f.filename in ("candidate.py", "tests.py")][-3:]
    lines = [f"  {f.filename} line {f.lineno}: {f.line}" for f in frames]
    lines.append("".join(traceback.format_exception_only(kind, value)).strip())
    return title + ":\n" + "\n".join(lines)

with contextlib.redirect_stdout(printed):
    try:
        exec(compile(code, "candidate.py", "exec"), namespace)
    except BaseException:  # SyntaxError, MemoryError, PermissionError from the hook...
        passed = False
        report.append(failure("The code failed to load"))
    if passed:
        out = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        for test in doctest.DocTestFinder(recurse=True).find(module, "candidate"):
            runner.run(test, out=out.write)  # each doctest gets a copy of the module's globals
        results = runner.summarize(verbose=False)
        if results.attempted:
            report.append(f"doctests: {results.attempted - results.failed} of {results.attempted} passed")
        if results.failed:
            passed = False
            report.append(out.getvalue().strip())
        tested = bool(tests.strip()) or bool(results.attempted)
        try:
            exec(compile(tests, "tests.py", "exec"), namespace)
            names = [n for n, v in list(namespace.items()) if n.startswith("test") and callable(v)]
            for name in names:
                try:
                    namespace[name]()
                except BaseException:
                    passed = False
                    report.append(failure(f"{name} failed"))
            if passed:
                report.append(f"tests: all passed ({len(names)} test functions, top-level assertions held)")
        except BaseException:
            passed = False
            report.append(failure("The tests failed"))

output = printed.getvalue()
if output.strip():
    report.append("printed:\n" + output[-1000:])
del output, printed
result_channel.write(json.dumps({"passed": passed, "tested": tested, "report": "\n".join(report)[:LIMIT]}))
result_channel.flush()
os._exit(0)  # no atexit or finaliser of the candidate's runs after the result
"""
