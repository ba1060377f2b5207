"""The Starlette application: pages, the JSON API, static assets; uploads (uploads.py) and the
interview WebSocket (socket.py) have their own modules.

Handlers stay on the event loop only to parse and answer; anything that touches the disk or
the model runs on a worker thread (``asyncio.to_thread``), so a long analysis never stalls a
live recording.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from .engine import Engine, MockmicError, StoreError
from .interviews import Interviews, PageInterview, Settings
from .security import Guard
from .socket import InterviewSocket
from .uploads import Uploads

HERE = Path(__file__).parent
INTERVIEW_STATUS = {"finished": "finished", "interrupted": "interrupted", "terminated": "stopped",
                    "failed": "stopped early", "in_progress": "not finished"}


def _templates():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("mockmic.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = Engine.when
    env.filters["clock"] = Engine.clock
    env.filters["status"] = lambda s: INTERVIEW_STATUS.get(s, str(s).replace("_", " "))
    env.filters["num"] = lambda v, d=0: "–" if v is None else (f"{v:.{d}f}" if isinstance(v, float) else str(v))
    return env


class WebApp:
    """State shared by the routes: the engine, the running interviews, upload jobs."""

    def __init__(self, engine: Engine, *, load_model: bool = True) -> None:
        self.engine = engine
        self.env = _templates()
        self.interviews = Interviews()
        self.uploads = Uploads(engine)
        self.socket = InterviewSocket(engine, self.interviews)
        self.load_model = load_model

    # -- helpers --

    def page(self, name: str, request: Request, status: int = 200, **context) -> HTMLResponse:
        nav = context.pop("nav", name.split(".")[0])
        html = self.env.get_template(name).render(nav=nav, model_error=self.engine.model_error, **context)
        return HTMLResponse(html, status_code=status)

    def error_page(self, request: Request, message: str, status: int = 400) -> HTMLResponse:
        return self.page("error.html.j2", request, status=status, message=message, nav="")

    # -- pages --

    async def home(self, request: Request):
        return RedirectResponse("/practice", status_code=303)

    async def practice(self, request: Request):
        bank = await asyncio.to_thread(self.engine.question_bank)
        categories = sorted({q.category for q in bank})
        unfinished = await asyncio.to_thread(self.engine.unfinished_recordings)
        return self.page("practice.html.j2", request, bank=bank, categories=categories, unfinished=unfinished,
                         limit_s=self.engine.limits.answer_seconds)

    async def interview_page(self, request: Request):
        session = self.interviews.get(request.path_params["interview_id"])
        if session is None:
            return self.error_page(request, "This interview is not running on this server any more: "
                                            "its answers are in History.", 404)
        return self.page("interview.html.j2", request, session=session, nav="practice")

    async def upload(self, request: Request):
        return self.page("upload.html.j2", request, max_bytes=self.engine.limits.upload_bytes,
                         max_minutes=self.engine.limits.upload_seconds / 60)

    async def history(self, request: Request):
        q = request.query_params
        question, since = q.get("question", "").strip(), q.get("since", "").strip()
        try:
            rows = await asyncio.to_thread(self.engine.list_sessions, question=question, since=since)
        except MockmicError as e:
            rows, error = [], str(e)
        else:
            error = None
        interviews = await asyncio.to_thread(self.engine.interviews)
        unfinished = await asyncio.to_thread(self.engine.unfinished_recordings)
        return self.page("history.html.j2", request, rows=rows, question=question, since=since, error=error,
                         interviews=interviews[:20], unfinished=unfinished)

    async def session(self, request: Request):
        session_id = request.path_params["session_id"]
        try:
            summary = await asyncio.to_thread(self.engine.session_summary, session_id)
            previous = await asyncio.to_thread(self.engine.previous_attempt, session_id)
        except MockmicError as e:
            return self.error_page(request, str(e), 404)
        return self.page("session.html.j2", request, s=summary, previous=previous, nav="history")

    async def report_html(self, request: Request):
        session_id = request.path_params["session_id"]
        try:
            html = await asyncio.to_thread(self.engine.report_html, session_id)
        except MockmicError as e:
            return self.error_page(request, str(e), 404)
        return _own_policy_page(html)

    async def compare(self, request: Request):
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        try:
            ra, rb, rows = await asyncio.to_thread(self.engine.compare, a, b)
        except MockmicError as e:
            return self.error_page(request, str(e), 400)
        if ra.created_at > rb.created_at:
            ra, rb, rows = await asyncio.to_thread(self.engine.compare, b, a)
        return self.page("compare.html.j2", request, a=ra, b=rb, rows=rows, nav="history")

    async def trend(self, request: Request):
        q = request.query_params
        question, since = q.get("question", "").strip(), q.get("since", "").strip()
        try:
            count = len(await asyncio.to_thread(self.engine.list_sessions, question=question, since=since))
            error = None
        except MockmicError as e:
            count, error = 0, str(e)
        return self.page("trend.html.j2", request, question=question, since=since, count=count, error=error,
                         nav="history")

    async def trend_html(self, request: Request):
        q = request.query_params
        try:
            html = await asyncio.to_thread(self.engine.trend_html, question=q.get("question", ""),
                                           since=q.get("since", ""))
        except MockmicError as e:
            return self.error_page(request, str(e), 400)
        if html is None:
            return self.error_page(request, "There are no sessions to chart yet.", 404)
        return _own_policy_page(html)

    async def interviews_page(self, request: Request):
        interviews = await asyncio.to_thread(self.engine.interviews)
        return self.page("interviews.html.j2", request, interviews=interviews, nav="history")

    async def interview_summary(self, request: Request):
        try:
            record = await asyncio.to_thread(self.engine.get_interview, request.path_params["interview_id"])
        except MockmicError as e:
            return self.error_page(request, str(e), 404)
        numbers = {a.question_id: i for i, a in enumerate(record.answers, 1)}
        return self.page("summary.html.j2", request, record=record, s=record.summary, numbers=numbers,
                         by_id={a.question_id: a for a in record.answers},
                         follow_up_text=self.engine.follow_up_statuses(), nav="history")

    # -- API --

    async def api_status(self, request: Request):
        return JSONResponse({"model_loaded": self.engine.model_loaded, "model_error": self.engine.model_error})

    async def api_new_interview(self, request: Request):
        try:
            data = await request.json()
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            return _error("The request was not understood.", 400)
        try:
            count = int(data["count"]) if data.get("count") not in (None, "") else None
            ids = [str(i) for i in data.get("ids") or []]
            settings = Settings(
                follow_ups=bool(data.get("follow_ups", True)),
                max_seconds=min(float(data.get("max_seconds") or 180.0), self.engine.limits.answer_seconds),
                countdown_s=max(0.0, min(float(data.get("countdown_s") if data.get("countdown_s") is not None else 3.0), 30.0)),
            )
            if settings.max_seconds <= 0:
                raise ValueError
        except (TypeError, ValueError):
            return _error("The number of questions, the time limit and the countdown must be numbers.", 400)
        try:
            questions = await asyncio.to_thread(self.engine.choose_questions, category=data.get("category") or None,
                                                count=count, ids=ids, own=str(data.get("own") or ""))
            session = PageInterview(self.engine, questions, settings, loop=asyncio.get_running_loop())
        except MockmicError as e:
            return _error(str(e), 400)
        self.interviews.add(session)
        return JSONResponse({"id": session.id, "url": f"/practice/{session.id}"}, status_code=201)

    async def api_delete_session(self, request: Request):
        try:
            await asyncio.to_thread(self.engine.delete_session, request.path_params["session_id"])
        except StoreError as e:
            return _error(str(e), 404)
        return JSONResponse({"deleted": request.path_params["session_id"]})

    async def api_recordings(self, request: Request):
        return JSONResponse({"recordings": await asyncio.to_thread(self.engine.unfinished_recordings)})

    async def api_finish_recording(self, request: Request):
        try:
            report = await asyncio.to_thread(self.engine.finish_recording, request.path_params["session_id"])
        except MockmicError as e:
            return _error(str(e), 400)
        return JSONResponse({"session_id": report.id, "url": f"/sessions/{report.id}"})

    async def api_discard_recording(self, request: Request):
        try:
            await asyncio.to_thread(self.engine.discard_recording, request.path_params["session_id"])
        except MockmicError as e:
            return _error(str(e), 400)
        return JSONResponse({"discarded": request.path_params["session_id"]})

    # -- lifecycle --

    @contextlib.asynccontextmanager
    async def lifespan(self, app):
        if self.load_model:
            asyncio.get_running_loop().run_in_executor(None, self.engine.load_model)
        yield
        self.interviews.stop_all()
        # Give the writer threads a moment to finish their files.
        for s in self.interviews.by_id.values():
            if s.thread is not None:
                await asyncio.to_thread(s.done.wait, 2.0)


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


_NONCE = re.compile(r'<script nonce="([A-Za-z0-9_\-]+)">')


def _own_policy_page(html: str) -> HTMLResponse:
    """A report or trend page as the CLI writes it: the header repeats its own policy (nonce
    script, data: images and audio, nothing fetched), and only this server may frame it."""
    m = _NONCE.search(html)
    script = f"'nonce-{m.group(1)}'" if m else "'none'"
    csp = (f"default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'; script-src {script}; "
           "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
    return HTMLResponse(html, headers={"content-security-policy": csp})


def create_app(engine: Engine | None = None, *, token: str, host: str = "127.0.0.1", port: int,
               load_model: bool = True, extra_hosts=()) -> Guard:
    """The whole web app, behind its :class:`~mockmic.web.security.Guard`."""
    web = WebApp(engine or Engine(), load_model=load_model)
    routes = [
        Route("/", web.home),
        Route("/practice", web.practice),
        Route("/practice/{interview_id:str}", web.interview_page),
        Route("/upload", web.upload),
        Route("/history", web.history),
        Route("/sessions/{session_id:str}", web.session),
        Route("/sessions/{session_id:str}/report.html", web.report_html),
        Route("/compare", web.compare),
        Route("/trend", web.trend),
        Route("/trend.html", web.trend_html),
        Route("/interviews", web.interviews_page),
        Route("/interviews/{interview_id:str}", web.interview_summary),
        Route("/api/status", web.api_status),
        Route("/api/interviews", web.api_new_interview, methods=["POST"]),
        Route("/api/uploads", web.uploads.post, methods=["POST"]),
        Route("/api/jobs/{job_id:str}", web.uploads.get),
        Route("/api/sessions/{session_id:str}", web.api_delete_session, methods=["DELETE"]),
        Route("/api/recordings", web.api_recordings),
        Route("/api/recordings/{session_id:str}/finish", web.api_finish_recording, methods=["POST"]),
        Route("/api/recordings/{session_id:str}/discard", web.api_discard_recording, methods=["POST"]),
        WebSocketRoute("/ws/interviews/{interview_id:str}", web.socket.handle),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    async def server_error(request, exc):
        # One sentence for the person; the traceback goes to the terminal that runs the server.
        import traceback

        traceback.print_exception(exc)
        message = "Something went wrong inside mockmic; the terminal running `mockmic serve` shows the details."
        if request.url.path.startswith("/api/"):
            return _error(message, 500)
        return web.error_page(request, message, 500)

    app = Starlette(routes=routes, lifespan=web.lifespan, exception_handlers={Exception: server_error})
    app.state.web = web
    return Guard(app, token=token, host=host, port=port, extra_hosts=extra_hosts)
