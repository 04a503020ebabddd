"""The web server: waitress, which buffers whole requests before a thread sees them, and a prompt stop."""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

log = logging.getLogger(__name__)

# Why waitress, not gunicorn's threaded workers: a gthread worker hands a connection to a thread as
# soon as it is readable, and the thread then reads the request itself, so eight clients sending
# their headers slowly hold eight threads and /healthz and the webhook wait behind them (gunicorn
# expects a buffering proxy in front; our default deployment has none). waitress reads and buffers
# each request, headers and body, in its asyncore channel layer and hands only complete requests to
# its thread pool: a slow or idle client costs a socket and a buffer, never a thread. It is meant to
# face clients directly, is pure Python and patches nothing (an async gunicorn worker class would
# monkey-patch sockets and threads under huey's consumer, SQLAlchemy's pool, psycopg and redis).
# One process serves; for more, bind one socket (bind_socket) and run a WebServer per process on it.
SERVER_OPTIONS = {
    "connection_limit": 2000,  # open connections before waitress stops accepting more
    "channel_timeout": 30,  # seconds a connection may stay silent, mid-request or idle between requests
    "asyncore_use_poll": True,  # select() cannot watch more than 1024 sockets
    # Beyond the app's own 64 KiB limit (its JSON 413): waitress buffers a body before the app runs, so
    # a larger one is refused by waitress itself, as it arrives and unread (JsonErrorTask: JSON too).
    "max_request_body_size": 1024 * 1024,
    "ident": "handover",
}
ERROR_NAMES = {413: "too_large", 500: "internal_error"}
"""waitress's refusals named as the app names the same problems (the rest: the reason, in snake case)."""
GRACEFUL_TIMEOUT = 10.0
"""Seconds a stop waits for requests and jobs in flight; a job cut off then is left to the recovery sweep."""


def bind_socket(host: str, port: int, backlog: int = 1024) -> socket.socket:
    """A listening TCP socket, to share between processes that each run a WebServer on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


class JsonErrorTask(ErrorTask):
    """waitress's own answers to requests it refuses before the app sees them (a body over
    max_request_body_size, declared or chunked; headers too large; a malformed request or chunk) as
    JSON naming the problem, like every other 4xx of handover, instead of its plain-text page."""

    def execute(self) -> None:
        error = self.request.error
        if error.code == 413:
            message = f"the request body exceeds {self.channel.adj.max_request_body_size} bytes"
        else:
            message = str(error.body).strip() or error.reason
        name = ERROR_NAMES.get(error.code) or error.reason.lower().replace(" ", "_")
        body = json.dumps({"error": name, "message": message}).encode() + b"\n"
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()   # waitress stopped reading this connection's input: it cannot be reused
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    """waitress's connection, answering its refusals with JsonErrorTask."""
    error_task_class = JsonErrorTask


def _listeners(server) -> list[BaseWSGIServer]:
    """The listening servers behind create_server's answer (one, or several for a name with many addresses)."""
    if isinstance(server, BaseWSGIServer):
        return [server]
    return [each for each in server.map.values() if isinstance(each, BaseWSGIServer)]


class WebServer:
    """waitress serving a WSGI app on host:port (or on a socket bound elsewhere) until stop()."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, *, threads: int = 8,
                 sock: socket.socket | None = None):
        listen = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
        self.server = create_server(app, threads=threads, **listen, **SERVER_OPTIONS)
        for listener in _listeners(self.server):
            listener.channel_class = JsonErrorChannel   # each accepted connection gets this class
        self._stopping = threading.Event()
        self.stopped_at: float | None = None
        """time.monotonic() when stop() was called."""

    @property
    def port(self) -> int:
        return self.server.effective_port

    @property
    def url(self) -> str:
        return f"http://{self.server.effective_host}:{self.port}"

    def run(self, drain_timeout: float = 3.0) -> None:
        """Serve until stop(); then let the requests in flight finish (for up to `drain_timeout` s)."""
        try:
            self.server.run()
        finally:
            self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=drain_timeout)

    def stop(self) -> None:
        """Close the listening socket and every connection; run() then returns. Safe from any thread."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self.stopped_at = time.monotonic()
        # The server's map is only touched by its own loop: ask the loop to close it (an empty map ends it).
        try:
            self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map, ignore_all=True))
        except OSError:
            # The trigger is closed already: the loop closed it and ended on its own, there is nothing
            # left to close (seen about once in 200 starts and stops in a row, in tests).
            log.warning("stop: the server loop had already closed its trigger")


def exit_now(code: int = 0) -> None:
    """End a server process that has stopped: flush the logs and exit without tearing the interpreter
    down (for this process seconds of garbage collection). Only for the command's own process."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


@contextmanager
def stop_on_signals(stop: Callable[[], None], signals=(signal.SIGTERM, signal.SIGINT)) -> Iterator[None]:
    """Call stop() on SIGTERM or SIGINT while the block runs (in the main thread); restore the handlers after.

    The handler hands stop() to a thread: the interrupted main thread may hold a lock stop() needs."""
    def handle(signum, _frame) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        threading.Thread(target=stop, name="handover-stop", daemon=True).start()

    previous = {signum: signal.signal(signum, handle) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
