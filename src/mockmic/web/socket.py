"""The interview's WebSocket: the server's messages out, the person's choices and the
microphone's PCM in (binary messages go to the answer being recorded)."""

from __future__ import annotations

import asyncio
import contextlib
import json

from starlette.websockets import WebSocket, WebSocketDisconnect

from .engine import Engine, MockmicError
from .interviews import Interviews, PageInterview, TakeFailed
from .recorder import TakeStream


class InterviewSocket:
    """``/ws/interviews/{id}``: one page attached to one running interview."""

    def __init__(self, engine: Engine, interviews: Interviews) -> None:
        self.engine = engine
        self.interviews = interviews

    async def handle(self, ws: WebSocket):
        session = self.interviews.get(ws.path_params["interview_id"])
        if session is None:
            await ws.close(code=4404)
            return
        await ws.accept()
        if session.attached:
            await ws.send_json({"type": "error", "message": "This interview is open in another tab."})
            await ws.close(code=4409)
            return
        session.attached = True
        session.start()
        sender = asyncio.get_running_loop().create_task(_pump(session, ws))
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                if message.get("bytes") is not None:
                    if session.recording is not None:
                        session.recording.feed(message["bytes"])
                    continue
                try:
                    data = json.loads(message.get("text") or "")
                except ValueError:
                    continue
                if isinstance(data, dict):
                    await self._on_message(session, data)
        except WebSocketDisconnect:
            pass
        finally:
            sender.cancel()
            if session.recording is not None:
                session.recording.lost("disconnected")
                session.recording = None
            if not session.done.is_set():
                session.gone()

    async def _on_message(self, session: PageInterview, data: dict) -> None:
        kind = data.get("type")
        if kind == "choice":
            session.tell({"type": "choice", "value": str(data.get("value"))})
        elif kind == "start_recording" and session.recording is None:
            try:
                session.recording = await asyncio.to_thread(
                    TakeStream.open, self.engine, session, session.answers.prompt,
                    max_seconds=session.settings.max_seconds + 2.0)
            except MockmicError as e:
                session.post({"type": "error", "message": str(e)})
                session.tell(TakeFailed("write_error", str(e)))
                return
            session.post({"type": "recording", "session_id": session.recording.session_id})
        elif kind == "stop" and session.recording is not None:
            take, session.recording = session.recording, None
            reason = "max_seconds" if data.get("reason") == "max_seconds" else "stopped"
            take.stop(reason)
        elif kind == "no_answer" and session.recording is None:
            session.tell(None)
        elif kind == "mic_failed" and session.recording is None:
            message = str(data.get("message") or "The microphone could not be opened.")[:300]
            session.tell(TakeFailed("no_microphone", message))


async def _pump(session: PageInterview, ws: WebSocket) -> None:
    with contextlib.suppress(Exception):
        while True:
            message = await session.outbox.get()
            await ws.send_json(message)
