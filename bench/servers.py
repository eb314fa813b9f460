"""Start gunicorn (4 sync workers on 127.0.0.1) or an RQ worker, wait until it is up, and always stop it again."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; log:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout:.0f} s; log:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the master (it stops its workers); SIGKILL the process group if it does not go in time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # our own session: only this gunicorn and its workers
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


@contextmanager
def gunicorn(
    app_spec: str,
    env: dict[str, str],
    log: Path,
    ready_path: str = "/healthz",
    workers: int = 4,
    worker_class: str = "sync",
    threads: int = 1,
):
    """Yield the base URL of ``gunicorn -w 4 -k sync app_spec`` (or the workers, class and threads given) run
    from the project root.

    The project's gunicorn.conf.py applies (timeouts, max-requests); its access log goes to ``log``.
    """
    port = free_port()
    cmd = [str(GUNICORN), "-w", str(workers), "-k", worker_class, "--threads", str(threads)]
    cmd += ["-b", f"127.0.0.1:{port}", app_spec]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + ready_path, proc, log)
        yield base
    finally:
        _stop(proc)
        print(f"  stopped gunicorn {app_spec} (pid {proc.pid})", file=sys.stderr)


@contextmanager
def rq_worker(env: dict[str, str], log: Path):
    """Run ``flask jobs-worker`` (the RQ worker of lms.jobs) from the project root until the block ends."""
    cmd = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "jobs-worker"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while "Listening on" not in log.read_text() and "*** Listening" not in log.read_text():
            if proc.poll() is not None:
                raise RuntimeError(f"the RQ worker exited with {proc.returncode}; log:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the RQ worker did not start within 30 s; log:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        _stop(proc)
        print(f"  stopped the RQ worker (pid {proc.pid})", file=sys.stderr)


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a live process, from /proc (None when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root_pid: int) -> float:
    """CPU seconds used so far by a live process and its live descendants (Linux /proc)."""
    stats = {int(p.name): s for p in Path("/proc").iterdir() if p.name.isdigit() and (s := _stat(int(p.name)))}
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
            todo.extend(child for child, (parent, _cpu) in stats.items() if parent == pid)
    return total


def gunicorn_pid(base: str) -> int | None:
    """The pid of the gunicorn master serving ``base`` (found by its bind address in /proc)."""
    bind = base.split("//", 1)[-1].encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if bind in cmdline and any(part.endswith(b"gunicorn") for part in cmdline[:2]):
            stat = _stat(int(entry.name))
            if stat and stat[0] != 0 and (entry.parent / str(stat[0]) / "cmdline").exists():
                parent = (entry.parent / str(stat[0]) / "cmdline").read_bytes()
                if bind in parent.split(b"\0"):
                    continue  # a worker: its parent is the master
            return int(entry.name)
    return None
