"""Upload: a file arrives in one request, is analysed as a job on a worker thread, and the page
polls the job for its progress and its report."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse

from .engine import Engine, MockmicError
from .interviews import report_card

JOB_KEEP_S = 3600.0
MULTIPART_SLACK_BYTES = 64 * 1024  # the form's own bytes around the file


@dataclass
class Job:
    """An upload being analysed, as the page polls it."""

    id: str
    name: str
    state: str = "queued"  # queued | running | done | failed
    stage: str = ""
    done_s: float = 0.0
    total_s: float | None = None
    session_id: str | None = None
    error: str | None = None
    created: float = field(default_factory=time.monotonic)
    report: dict | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "state": self.state, "stage": self.stage,
                "done_s": round(self.done_s, 1), "total_s": round(self.total_s, 1) if self.total_s else None,
                "session_id": self.session_id, "error": self.error, "report": self.report}


class Uploads:
    """The upload routes and the jobs they started."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.jobs: dict[str, Job] = {}

    async def post(self, request: Request):
        limit = self.engine.limits.upload_bytes
        try:
            length = int(request.headers.get("content-length", ""))
        except ValueError:
            return _error("The upload must say its size (Content-Length).", 411)
        if length > limit + MULTIPART_SLACK_BYTES:
            return _error(f"The file is larger than {limit / 1e6:.0f} MB, the most the web app takes: "
                          "use `mockmic analyze` for larger files.", 413)
        try:
            async with request.form(max_files=1, max_fields=4) as form:
                upload = form.get("file")
                question = str(form.get("question") or "").strip()
                if upload is None or isinstance(upload, str) or not upload.filename:
                    return _error("Choose an audio file to upload.", 400)
                name = upload.filename
                path = await asyncio.to_thread(self.engine.upload_path, name)
                await asyncio.to_thread(_copy, upload.file, path)
        except MockmicError as e:
            return _error(str(e), 400)
        except OSError as e:
            return _error(f"The upload could not be saved: {e.strerror or e}.", 507)
        except Exception:  # a broken multipart body
            return _error("The upload was not understood: send the file again.", 400)
        job = Job(id=secrets.token_hex(8), name=Path(name).name)
        self._prune()
        self.jobs[job.id] = job
        asyncio.get_running_loop().create_task(self._analyse_upload(job, path, question))
        return JSONResponse(job.as_dict(), status_code=202)

    async def _analyse_upload(self, job: Job, path: Path, question: str) -> None:
        def progress(stage, done, total):
            job.state, job.stage = "running", stage
            if stage in ("decode", "transcribe"):
                job.done_s, job.total_s = done, total

        try:
            report = await asyncio.to_thread(self.engine.analyse_upload, path, shown_name=job.name,
                                             question=question or None, on_progress=progress)
        except MockmicError as e:
            job.state, job.error = "failed", str(e)
            return
        except Exception as e:  # a bug must still end the job with a sentence
            job.state, job.error = "failed", f"{job.name} could not be analysed: {e}."
            return
        job.state, job.stage, job.session_id = "done", "stored", report.id
        job.report = report_card(self.engine, report)

    def _prune(self) -> None:
        now = time.monotonic()
        for k in [k for k, j in self.jobs.items() if now - j.created > JOB_KEEP_S]:
            del self.jobs[k]

    async def get(self, request: Request):
        job = self.jobs.get(request.path_params["job_id"])
        if job is None:
            return _error("No such upload.", 404)
        return JSONResponse(job.as_dict())


def _copy(src, path: Path) -> None:
    with open(path, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
