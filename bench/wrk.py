"""Run wrk and read its numbers; a Lua hook counts every response that is not 2xx (wrk itself lets 3xx pass)."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("non2xx") end
  io.write(string.format("NON2XX %d\\n", total))
  io.write(string.format("SOCKET connect=%d read=%d write=%d timeout=%d\\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("LATENCY p50=%.1f p99=%.1f\\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Result:
    name: str
    rps: float
    requests: int
    non2xx: int
    socket_errors: str
    p50_ms: float
    p99_ms: float

    def summary(self) -> str:
        return (
            f"  {self.name}: {self.requests} requests, non-2xx {self.non2xx}, socket errors {self.socket_errors}, "
            f"latency p50 {self.p50_ms:.1f} ms p99 {self.p99_ms:.1f} ms"
        )


def _number(pattern: str, text: str, cast=float):
    match = re.search(pattern, text, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk output has no {pattern!r}:\n{text}")
    return cast(match.group(1))


def run(name: str, url: str, workdir: Path, cookie: str = "", duration: str = "10s", connections: int = 50) -> Result:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (make bench installs it: apt-get install wrk)")
    script = workdir / "status.lua"
    script.write_text(STATUS_SCRIPT)
    cmd = [wrk, "-t2", f"-c{connections}", f"-d{duration}", "--timeout", "10s", "-s", str(script)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=120, check=True).stdout
    return Result(
        name=name,
        rps=_number(r"^Requests/sec:\s+([\d.]+)", out),
        requests=_number(r"^\s*(\d+) requests in", out, int),
        non2xx=_number(r"^NON2XX (\d+)", out, int),
        socket_errors=_number(r"^SOCKET (.*)$", out, str),
        p50_ms=_number(r"^LATENCY p50=([\d.]+)", out),
        p99_ms=_number(r"p99=([\d.]+)", out),
    )


def combine(name: str, runs: list[Result]) -> Result:
    """Several runs of one target as one: requests and errors summed, req/s of the whole, the worst p50/p99."""
    requests = sum(r.requests for r in runs)
    seconds = sum(r.requests / r.rps for r in runs if r.rps)
    return Result(
        name=name,
        rps=requests / seconds if seconds else 0.0,
        requests=requests,
        non2xx=sum(r.non2xx for r in runs),
        socket_errors="; ".join(sorted({r.socket_errors for r in runs})),
        p50_ms=max(r.p50_ms for r in runs),
        p99_ms=max(r.p99_ms for r in runs),
    )
