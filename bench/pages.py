"""Throughput of the catalogue and "Pelatihan saya" against a bare-Flask floor.

For a fresh SQLite file (and, when BENCH_DATABASE_URL is set, that PostgreSQL database too): migrate, seed
1,000 events and 20,000 enrolments, serve the app and the floor app with gunicorn (4 sync workers each),
log a participant in through the real form, and load the floor and each page with wrk in turn, 4 seconds each, for
5 rounds; each ratio is the median of the rounds' page/floor ratios. A last round runs while another connection
commits 20 times a second (``*_busy_rps``): the pages' exact read caches are then mostly missed.
Exit 1 when any response was not 2xx (or anything else failed).
"""

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from bench import client, seed, servers, wrk

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
ROUND_DURATION = os.environ.get("BENCH_ROUND_DURATION", "4s")
BUSY_COMMITS = float(os.environ.get("BENCH_BUSY_COMMITS", "20"))
RESULTS = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(database_url: str) -> dict[str, str]:
    """Migrate and seed ``database_url``; return the app's paths for the pages measured."""
    from flask import url_for

    from lms import create_app
    from lms.config import TestConfig
    from lms.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(dict(config, SQLALCHEMY_DATABASE_URI=database_url))
    with app.app_context():
        started = time.monotonic()
        seed.create_schema(db)
        log(f"  schema migrated in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        counts = seed.seed(db)
        log(f"  seeded {counts} in {time.monotonic() - started:.1f} s")
        db.engine.dispose()
    with app.test_request_context():
        return {name: url_for(name) for name in ("auth.login", "enrolment.catalogue", "enrolment.my_trainings")}


def measure(label: str, database_url: str, workdir: Path) -> tuple[list[wrk.Result], dict[str, list[wrk.Result]]]:
    """Both servers up at once; ROUNDS rounds of floor, catalogue, "Pelatihan saya", so each page and the floor
    meet the same machine (the floor is no longer measured half a minute after the pages)."""
    from lms.config import normalise_database_url

    log(f"== {label}: {database_url}")
    paths = prepare(normalise_database_url(database_url))
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key", "GUNICORN_MAX_REQUESTS": "0"}
    # The app writes one access-log line per request itself (lms/requestlog.py; gunicorn's own is off): the floor
    # keeps gunicorn's, so both servers log one line per request, as they did when gunicorn logged for both.
    floor_env = {**env, "GUNICORN_ACCESS_LOG": str(workdir / f"{label}-floor-access.log")}
    rounds: dict[str, list[wrk.Result]] = {"floor": [], "catalogue": [], "my_trainings": []}
    with (
        servers.gunicorn("wsgi:app", env, workdir / f"{label}-app.log") as base,
        servers.gunicorn("bench.floor_app:app", floor_env, workdir / f"{label}-floor.log", ready_path="/") as floor,
    ):
        cookie = client.login(base + paths["auth.login"], seed.BENCH_LOGIN, seed.PASSWORD)
        status, _ = client.get(base + paths["enrolment.my_trainings"], cookie)
        if status != 200:
            raise RuntimeError(f"{paths['enrolment.my_trainings']} answered {status} to the logged-in participant")
        targets = (
            ("floor", floor + "/", ""),
            ("catalogue", base + paths["enrolment.catalogue"], ""),
            ("my_trainings", base + paths["enrolment.my_trainings"], cookie),
        )
        for name, url, header in targets:
            wrk.run(name, url, workdir, header, duration="1s", connections=8)  # warm every worker
        for _ in range(ROUNDS):
            for name, url, header in targets:
                rounds[name].append(wrk.run(name, url, workdir, header, duration=ROUND_DURATION))
        # One more round while another connection commits BUSY_COMMITS times a second: the pages' read caches
        # (lms/freshness.py) are then mostly missed, so this shows what they cost when the database is not quiet.
        with committing(database_url, BUSY_COMMITS) as commits:
            for name, url, header in targets:
                rounds[f"{name}_busy"] = [wrk.run(name, url, workdir, header, duration=ROUND_DURATION)]
        log(f"  busy round: {commits()} commits by another connection")
    results = [wrk.combine(name, runs) for name, runs in rounds.items()]
    for result in results:
        log(result.summary())
    return results, rounds


@contextmanager
def committing(database_url: str, per_second: float):
    """A thread committing a small change ``per_second`` times a second through its own engine (another
    process's writes, as far as the app can tell); yields a function returning how many commits it made."""
    from sqlalchemy import create_engine, text

    from lms.config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    stop = threading.Event()
    made = [0]

    def run() -> None:
        while not stop.wait(1 / per_second):
            with engine.begin() as conn:  # a field no page shows
                conn.execute(text("UPDATE agencies SET updated_at = CURRENT_TIMESTAMP WHERE id = 1"))
            made[0] += 1

    thread = threading.Thread(target=run, name="bench-writer", daemon=True)
    thread.start()
    try:
        yield lambda: made[0]
    finally:
        stop.set()
        thread.join(10)
        engine.dispose()


def report(label: str, results: list[wrk.Result], rounds: dict[str, list[wrk.Result]]) -> None:
    by_name = {r.name: r for r in results}
    floor = by_name["floor"].rps
    print(f"BENCH database {label}")
    for name in ("catalogue", "my_trainings"):
        value = by_name[name].rps
        # each round's page against the floor of the same round; the median of the rounds
        ratio = statistics.median(p.rps / f.rps for p, f in zip(rounds[name], rounds["floor"], strict=True))
        spread = ", ".join(f"{p.rps / f.rps:.2f}" for p, f in zip(rounds[name], rounds["floor"], strict=True))
        print(f"BENCH {name}_rps {value:.1f} req/s floor={floor:.1f} ratio={ratio:.2f} (rounds {spread})")
    print(f"BENCH floor_rps {floor:.1f} req/s")
    busy_floor = by_name["floor_busy"].rps
    for name in ("catalogue", "my_trainings"):
        value = by_name[f"{name}_busy"].rps
        print(
            f"BENCH {name}_busy_rps {value:.1f} req/s floor={busy_floor:.1f} ratio={value / busy_floor:.2f} "
            f"(one round, {BUSY_COMMITS:g} commits/s by another connection)"
        )
    for r in results:
        print(f"BENCH {r.name}_non2xx {r.non2xx} of {r.requests} (socket errors {r.socket_errors})")
    sys.stdout.flush()


def main() -> int:
    started = time.monotonic()
    all_results: dict[str, list[wrk.Result]] = {}
    failed = False
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp:
        workdir = Path(tmp)
        targets = [("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}")]
        if os.environ.get("BENCH_DATABASE_URL"):
            targets.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
        for label, url in targets:
            try:
                all_results[label], rounds = measure(label, url, workdir)
            except Exception as exc:  # noqa: BLE001 - report, stop the servers (done above), exit 1
                log(f"BENCH FAILED on {label}: {type(exc).__name__}: {exc}")
                for logfile in sorted(workdir.glob(f"{label}-*.log")):
                    log(f"--- tail of {logfile.name}\n{logfile.read_text()[-2000:]}")
                failed = True
                continue
            report(label, all_results[label], rounds)
            if any(r.non2xx for r in all_results[label]):
                log(f"BENCH FAILED on {label}: some responses were not 2xx")
                failed = True
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps({label: [r.__dict__ for r in rs] for label, rs in all_results.items()}, indent=2)
    )
    log(f"bench finished in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
