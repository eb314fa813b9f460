"""CPU of one password check at log-in: werkzeug's scrypt as a gunicorn worker runs it, against the bare library.

    BENCH password_check_cpu_ms <ms> ms floor=<ms> ratio=<ms/floor>

Each figure is the median CPU time of CHECKS checks of a ``scrypt:32768:8:1`` hash in a fresh interpreter, ROUNDS
interpreters each, alternating: the floor with glibc's defaults (every check maps scrypt's 32 MiB work area anew),
ours after ``lms.workers.keep_large_blocks()`` as ``gunicorn.conf.py`` calls it in each worker. A ratio below 1 is
what the kept work area saves. Also prints the page faults of one check in each.
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3
CHECKS = 15
CHILD = """
import json, resource, sys, time
from werkzeug.security import check_password_hash, generate_password_hash
if sys.argv[1] == "ours":
    from lms.workers import keep_large_blocks
    assert keep_large_blocks()
hashed = generate_password_hash("Rahasia-2026", method="scrypt")
times, faults = [], []
for _ in range(int(sys.argv[2])):
    f, t = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.process_time()
    assert check_password_hash(hashed, "Rahasia-2026")
    times.append(time.process_time() - t)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f)
print(json.dumps({"times": times, "faults": faults}))
"""


def _run(kind: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(CHECKS)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    runs: dict[str, list[dict]] = {"floor": [], "ours": []}
    for _ in range(ROUNDS):
        for kind in runs:
            runs[kind].append(_run(kind))
    ms = {k: 1000 * statistics.median(t for r in rs for t in r["times"][1:]) for k, rs in runs.items()}
    faults = {k: statistics.median(f for r in rs for f in r["faults"][1:]) for k, rs in runs.items()}
    print(
        f"BENCH password_check_cpu_ms {ms['ours']:.1f} ms floor={ms['floor']:.1f} ratio={ms['ours'] / ms['floor']:.2f}"
    )
    print(f"BENCH password_check_page_faults {faults['ours']:.0f} count floor={faults['floor']:.0f}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
