"""The simulated people of the training day: 500 participants and the organiser, each a thread with a Browser.

A participant arrives at its time in the ramp, then: logs in, opens the event, checks in by QR (the code the
organiser's QR screen shows at that moment), opens the module and both materials, starts the post-test, answers
the 30 questions one by one as the page does (htmx POST per answer), submits, fills the evaluation, then opens
"Sertifikat saya" every few seconds until the organiser has issued its certificate, and downloads the PDF.
Between actions it "thinks" (random pauses, seeded per participant). The organiser keeps the QR screen open (its
htmx polls), looks at the attendance overview, downloads the recap and issues certificates every few seconds
once evaluations come in, and a last time when everyone has sent theirs.
"""

import random
import re
import threading
import time
from dataclasses import dataclass, field

from bench import trainingday_seed as day
from bench.trainingday_http import Browser, Stats, StepError

_CODE = re.compile(r'data-code="([A-Z0-9]{6})"')
_TICKET = re.compile(r'name="ticket"[^>]*value="([^"]*)"')
_SHOWN = re.compile(r'name="shown" value="(\d+)"')
_OPTION = re.compile(r'name="q(\d+)" id="o\d+" value="(\d+)"')
_START = re.compile(r'action="(/pelatihan/\d+/tes/\d+/mulai)"')
_CERT = re.compile(r'href="(/sertifikat-saya/(\d+)\.pdf)"')
EVENT = f"/pelatihan/{day.EVENT_ID}"
MANAGE = f"/kelola/acara/{day.EVENT_ID}"
QR = f"{MANAGE}/presensi/{day.QR_SESSION_ID}/qr"
CERTIFICATE_WAIT = 240  # seconds a participant keeps looking for its certificate


@dataclass
class Scenario:
    """What the simulated people share: the server, the stats, the QR code on screen, progress counters."""

    base: str
    stats: Stats
    think_scale: float = 1.0
    code: str = ""
    evaluated: int = 0  # participants who have sent the evaluation
    stop: threading.Event = field(default_factory=threading.Event)
    everyone_evaluated: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: dict[int, str] = field(default_factory=dict)  # participant -> "ok" or the error

    def evaluation_sent(self, participants: int) -> None:
        with self.lock:
            self.evaluated += 1
            if self.evaluated == participants:
                self.everyone_evaluated.set()


class Participant:
    def __init__(self, i: int, scenario: Scenario):
        self.i, self.s = i, scenario
        self.rng = random.Random(i)
        self.b = Browser(scenario.base, scenario.stats)

    def think(self, low: float, high: float) -> None:
        if self.s.stop.wait(self.rng.uniform(low, high) * self.s.think_scale):
            raise StepError("stopped at the deadline, the day not finished")

    def run(self, arrival: float, participants: int) -> None:
        time.sleep(max(0.0, arrival - time.monotonic()))
        try:
            self.day(participants)
            self.s.done[self.i] = "ok"
        except StepError as exc:
            self.s.done[self.i] = str(exc)
            self.s.stats.fail(f"participant {self.i}: {exc}")
        finally:
            self.b.close()

    def day(self, participants: int) -> None:
        b = self.b
        b.login("login", day.email(self.i), day.PASSWORD, think=lambda: self.think(1, 3))
        self.think(0.5, 1.5)
        b.request("event", "GET", EVENT)
        self.think(0.5, 1.5)
        self.check_in()
        self.think(0.5, 1.5)
        self.materials()
        self.think(0.5, 1.5)
        self.post_test()
        self.think(0.5, 1.5)
        self.evaluation()
        self.s.evaluation_sent(participants)
        self.certificate()

    def check_in(self) -> None:
        path = f"/presensi/{day.QR_SESSION_ID}"
        page = self.b.request("checkin", "GET", f"{path}?k={self.s.code}")
        ticket = _TICKET.search(page.body)
        if not ticket:
            raise StepError("checkin: no confirmation button (ticket) on the check-in page")
        self.think(0.5, 1.5)
        page = self.b.request(
            "checkin", "POST", path, {"csrf_token": page.csrf(), "ticket": ticket.group(1)}, expect=(302,)
        )
        if "Presensi tercatat" not in page.body:
            raise StepError("checkin: the page after the check-in does not say it was recorded")

    def materials(self) -> None:
        learn = f"{EVENT}/materi"
        self.b.request("materials", "GET", learn)
        self.think(0.5, 1.5)
        self.b.request("materials", "GET", f"{learn}/modul/{day.MODULE_ID}")
        self.think(0.5, 1.5)
        page = self.b.request("materials", "GET", f"{learn}/{day.FILE_MATERIAL_ID}/unduh")
        if not page.raw.startswith(b"%PDF"):
            raise StepError("materials: the handout download is not the uploaded file")
        self.think(0.5, 1.5)
        page = self.b.request("materials", "GET", f"{learn}/{day.LINK_MATERIAL_ID}/buka", expect=(302,), follow=False)
        if page.location != day.LINK_URL:
            raise StepError(f"materials: the link material sends to {page.location!r}")

    def post_test(self) -> None:
        page = self.b.request("test_start", "GET", f"{EVENT}/tes")
        start = _START.search(page.body)
        if not start:
            raise StepError("test_start: no start button on the test list")
        self.think(0.5, 1.5)
        page = self.b.request("test_start", "POST", start.group(1), {"csrf_token": page.csrf()}, expect=(302,))
        take = page.path  # .../tes/percobaan/<attempt id>
        shown = [int(q) for q in _SHOWN.findall(page.body)]
        options: dict[int, list[int]] = {}
        for q, o in _OPTION.findall(page.body):
            options.setdefault(int(q), []).append(int(o))
        if len(shown) != day.QUESTIONS or any(len(options.get(q, [])) != day.OPTIONS for q in shown):
            raise StepError(f"test_start: the test page shows {len(shown)} questions, not {day.QUESTIONS}")
        csrf = page.csrf()
        right = day.right_answers(self.i)
        chosen = {}
        headers = {"HX-Request": "true", "X-CSRFToken": csrf, "HX-Current-URL": self.s.base + take}
        for n, q in enumerate(shown):
            correct = day.correct_option(q)
            chosen[q] = correct if n < right else next(o for o in options[q] if o != correct)
            self.think(0.3, 1.2)
            form = {"question_id": q, "csrf_token": csrf, "shown": q, f"q{q}": chosen[q]}
            saved = self.b.request("answer", "POST", f"{take}/jawab", form, headers=headers)
            if "Tersimpan" not in saved.body:
                raise StepError(f"answer: question {q} not saved: {saved.body[:200]!r}")
        self.think(1, 2)
        form = [("csrf_token", csrf)] + [pair for q in shown for pair in (("shown", q), (f"q{q}", chosen[q]))]
        page = self.b.request("submit", "POST", f"{take}/kirim", form, expect=(302,))
        if not page.path.endswith("/hasil"):
            raise StepError(f"submit: landed on {page.path}, not the result page")

    def evaluation(self) -> None:
        path = f"{EVENT}/tes/evaluasi/{day.SURVEY_ID}"
        page = self.b.request("evaluation", "GET", path)
        items = sorted(set(int(n) for n in re.findall(r'name="item(\d+)"', page.body)))
        if len(items) != day.SURVEY_ITEMS:
            raise StepError(f"evaluation: the form has {len(items)} unsur, not {day.SURVEY_ITEMS}")
        self.think(2, 4)
        form = {"csrf_token": page.csrf(), "comment": f"Materi sangat bermanfaat ({self.i})."}
        form.update({f"item{item}": 1 + (self.i + item) % 4 for item in items})
        page = self.b.request("evaluation", "POST", path, form, expect=(302,))
        if "evaluasi Anda tersimpan" not in page.body:
            raise StepError("evaluation: the page after sending does not confirm it")

    def certificate(self) -> None:
        deadline = time.monotonic() + CERTIFICATE_WAIT
        while True:
            page = self.b.request("certificate_list", "GET", "/sertifikat-saya")
            found = _CERT.search(page.body)
            if found:
                break
            if not day.passes(self.i):
                return  # did not pass, and the event gives no certificate of attendance: nothing to wait for
            if time.monotonic() > deadline or self.s.stop.is_set():
                raise StepError("certificate_list: no certificate appeared in time")
            self.think(3, 6)
        if not day.passes(self.i):
            raise StepError("certificate_list: a certificate for a participant who did not pass")
        self.think(0.5, 1.5)
        pdf = self.b.request("certificate_pdf", "GET", found.group(1))
        if not pdf.raw.startswith(b"%PDF") or pdf.headers.get("Content-Type") != "application/pdf":
            raise StepError("certificate_pdf: not a PDF")


class QrScreen:
    """The projector showing the QR page: its own browser tab (the organiser's session), polling as its htmx does
    (the code every 2 s, the live list every 3 s) whatever the organiser does meanwhile on the laptop."""

    def __init__(self, scenario: Scenario, jar: dict[str, str]):
        self.s = scenario
        self.b = Browser(scenario.base, scenario.stats)
        self.b.jar = dict(jar)

    def run(self) -> None:
        last_code = last_live = time.monotonic()
        try:
            while not self.s.stop.is_set():
                now = time.monotonic()
                if now - last_code >= 2:
                    last_code = now
                    page = self.b.request("org_qr", "GET", f"{QR}/kode?shown={self.s.code}", expect=(200, 204))
                    if page.status == 200:
                        self.s.code = _CODE.search(page.body).group(1)
                if now - last_live >= 3:
                    last_live = now
                    self.b.request("org_qr", "GET", f"{QR}/hadir")
                time.sleep(0.1)
        except StepError as exc:
            self.s.stats.fail(f"QR screen: {exc}")
            self.s.stop.set()
        finally:
            self.b.close()


class Organiser:
    """The organiser's laptop, in one thread until ``scenario.stop`` is set: the attendance overview, the recap,
    issuing certificates (the QR screen is a QrScreen of its own)."""

    ISSUE_EVERY = 10.0
    RECAP_EVERY = 20.0
    OVERVIEW_EVERY = 15.0

    def __init__(self, scenario: Scenario):
        self.s = scenario
        self.b = Browser(scenario.base, scenario.stats)
        self.recaps: list[bytes] = []
        self.issue_rounds = 0
        self.error: str | None = None

    def open_screen(self) -> QrScreen:
        """Log in and open the QR page; the screen that then keeps it up to date."""
        self.b.login("org_login", day.ORGANISER_EMAIL, day.PASSWORD)
        page = self.b.request("org_qr", "GET", QR)
        self.s.code = _CODE.search(page.body).group(1)
        return QrScreen(self.s, self.b.jar)

    def run(self) -> None:
        try:
            self._loop()
        except StepError as exc:
            self.error = str(exc)
            self.s.stats.fail(f"organiser: {exc}")
            self.s.stop.set()

    def _loop(self) -> None:
        started = time.monotonic()
        last = {"overview": started, "recap": started, "issue": started}
        final_issued = False
        while not self.s.stop.is_set():
            now = time.monotonic()
            if now - last["overview"] >= self.OVERVIEW_EVERY:
                last["overview"] = now
                self.b.request("org_attendance", "GET", f"{MANAGE}/presensi")
            if now - last["recap"] >= self.RECAP_EVERY:
                last["recap"] = now
                self.download_recap()
            everyone = self.s.everyone_evaluated.is_set()
            if (self.s.evaluated and now - last["issue"] >= self.ISSUE_EVERY) or (everyone and not final_issued):
                last["issue"] = now
                final_issued = everyone
                self.issue()
            time.sleep(0.25)

    def download_recap(self) -> bytes:
        page = self.b.request("org_recap", "GET", f"{MANAGE}/rekap.xlsx")
        if not page.raw.startswith(b"PK"):
            raise StepError("org_recap: not an .xlsx file")
        self.recaps.append(page.raw)
        return page.raw

    def issue(self) -> None:
        page = self.b.request("org_issue", "GET", f"{MANAGE}/sertifikat")
        self.b.request(
            "org_issue", "POST", f"{MANAGE}/sertifikat/terbitkan", {"csrf_token": page.csrf()}, expect=(302,)
        )
        self.issue_rounds += 1

    def certificates_zip(self, timeout: float = 180) -> bytes:
        """The ZIP of every certificate, as a background job (RQ with Redis, a thread without)."""
        page = self.b.request("org_zip", "GET", f"{MANAGE}/sertifikat")
        page = self.b.request(
            "org_zip", "POST", f"{MANAGE}/sertifikat/semua.zip", {"csrf_token": page.csrf()}, expect=(302,)
        )
        job = re.search(r"/pekerjaan/(\d+)", page.body) or re.search(r"/pekerjaan/(\d+)", page.location or "")
        if not job:
            raise StepError("org_zip: no job page after starting the ZIP")
        deadline = time.monotonic() + timeout
        while True:
            import json

            status = json.loads(self.b.request("org_zip", "GET", f"/pekerjaan/{job.group(1)}/status").body)
            if status["status"] == "finished":
                break
            if status["status"] == "failed" or time.monotonic() > deadline:
                raise StepError(f"org_zip: the job ended {status['status']}: {status.get('error')}")
            time.sleep(1)
        return self.b.request("org_zip", "GET", status["download_url"]).raw
