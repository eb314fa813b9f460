"""``make bench``: every benchmark, one after the other; ``python -m bench NAME ...`` runs only those.

Each module prints ``BENCH <name> <value> <unit>`` lines (with ``floor=... ratio=...`` where a floor
exists) and returns non-zero when something failed. Set BENCH_DATABASE_URL (a PostgreSQL URL) to run the
database-bound ones on PostgreSQL as well as on SQLite.
"""

import sys
from importlib import import_module

SUITES = ("pages", "passwords", "roster", "checkin", "certificates", "recap", "assessments", "trainingday")


def main(argv: list[str]) -> int:
    names = argv or list(SUITES)
    unknown = sorted(set(names) - set(SUITES))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(SUITES)}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"== bench {name}", file=sys.stderr, flush=True)
        status |= import_module(f"bench.{name}").main() or 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
