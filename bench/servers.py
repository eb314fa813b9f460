"""Start gunicorn (4 sync workers on 127.0.0.1), wait until it answers, and always stop it again."""

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
def gunicorn(app_spec: str, env: dict[str, str], log: Path, ready_path: str = "/healthz"):
    """Yield the base URL of ``gunicorn -w 4 -k sync app_spec`` run from the project root.

    The project's gunicorn.conf.py applies (timeouts, max-requests); its access log goes to ``log``.
    """
    port = free_port()
    cmd = [str(GUNICORN), "-w", "4", "-k", "sync", "-b", f"127.0.0.1:{port}", app_spec]
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
