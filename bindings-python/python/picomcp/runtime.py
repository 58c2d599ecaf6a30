"""The asyncio driver behind :meth:`Server.run`.

The core lives on the loop's thread and is only ever touched there. Bytes from the
client go into the core; each call it hands back becomes work: an ``async def`` handler
is a task on the loop, a plain function runs in a worker thread (so it never blocks the
loop) and its result comes back to the loop through ``call_soon_threadsafe``. Answers go
to the core by ticket, and its output is written out once per loop iteration. A client's
cancellation cancels the task (or, for a plain function, sets ``ctx.cancelled``); nothing
is sent for it afterwards.

Worker threads are daemon threads of picomcp's own pool (up to ``max_requests`` of
them, started on demand), not ``asyncio.to_thread``'s executor, whose threads the
interpreter waits for at exit: a plain function still sleeping when stdin closes must not
keep the process alive. Context variables are copied into the worker as ``to_thread``
does.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import os
import select
import sys
import threading
from typing import Any, Callable, Dict, Optional, Set

from .auth import BearerAuth, Grant, InsufficientScope
from .connection import Cancelled, Connection, _HandlerEvent, error_text
from .errors import ArgumentError, ToolError

__all__ = ["serve", "serve_async"]

log = logging.getLogger("picomcp")

READ_SIZE = 1 << 16
# How long shutdown waits for cancelled tasks to unwind.
SHUTDOWN_GRACE = 0.5


class _WorkerPool:
    """Daemon threads running plain-function handlers, at most ``size`` at once."""

    def __init__(self, size: int) -> None:
        import queue

        self._queue: "queue.SimpleQueue[Optional[Callable[[], None]]]" = queue.SimpleQueue()
        self._size = size
        self._lock = threading.Lock()
        self._threads = self._idle = self._pending = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._pending += 1
            spawn = self._pending > self._idle and self._threads < self._size
            if spawn:
                self._threads += 1
        self._queue.put(job)
        if spawn:
            threading.Thread(target=self._work, name=f"picomcp-worker-{self._threads}", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            job = self._queue.get()
            with self._lock:
                self._idle -= 1
                self._pending -= 1
            if job is None:
                return
            job()


class _Driver:
    """Runs the calls of one native server on the running loop."""

    def __init__(self, server: Any, loop: asyncio.AbstractEventLoop, flush: Callable[[], None], *,
                 principal: Optional[Grant] = None, auth: Optional[BearerAuth] = None) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self.conn = Connection(server, emit=self._emit, principal=principal)
        self.native = self.conn._native
        self.pool = _WorkerPool(server.max_requests)
        self.calls: Dict[int, Optional["asyncio.Task[None]"]] = {}  # ticket -> task (None: a thread)
        self._flush_fn = flush
        self._flush_scheduled = False
        self.auth = auth
        self.verifying: Set["asyncio.Task[None]"] = set()  # async token checks under way
        if auth is not None:
            self.native.set_auth(resource=auth.resource, authorization_servers=list(auth.authorization_servers),
                                 scopes_supported=list(auth.scopes_supported), cache_seconds=auth.cache_seconds)
            self.conn._authorize = self._authorize

    # ------------------------------------------------------------------ output

    def schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        self._flush_fn()

    def _emit(self, fn: Callable[[Any], Any]) -> None:
        """Run ``fn(native)`` on the loop's thread (progress and logs from a Context)."""
        if threading.get_ident() == self.thread:
            fn(self.native)
            self.schedule_flush()
        else:
            try:
                self.loop.call_soon_threadsafe(self._emit_here, fn)
            except RuntimeError:  # the loop is closed: the client is gone
                pass

    def _emit_here(self, fn: Callable[[Any], Any]) -> None:
        fn(self.native)
        self.schedule_flush()

    # ------------------------------------------------------------------ calls

    def dispatch(self) -> None:
        """Start the work for every event the core produced."""
        next_event = self.conn.next_event
        while True:
            event = next_event()
            if event is None:
                break
            if isinstance(event, Cancelled):
                task = self.calls.pop(event.ticket, None)
                if task is not None:
                    task.cancel()
                continue
            self._start(event)
        self.schedule_flush()

    def _start(self, event: _HandlerEvent) -> None:
        ctx = self.conn.context(event) if event.wants_context else None
        if event.is_async:
            self.calls[event.ticket] = self.loop.create_task(self._run_async(event, ctx))
            return
        self.calls[event.ticket] = None
        run_in_context = contextvars.copy_context().run
        loop, finish = self.loop, self._finish

        def work() -> None:
            try:
                value, ok = run_in_context(event.call, ctx), True
            except BaseException as exc:  # noqa: BLE001 - every failure is the client's answer
                value, ok = exc, False
            try:
                loop.call_soon_threadsafe(finish, event, ok, value)
            except RuntimeError:  # the loop is closed: the client is gone
                pass

        self.pool.submit(work)

    async def _run_async(self, event: _HandlerEvent, ctx: Any) -> None:
        try:
            value = await event.call(ctx)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self._finish(event, False, exc)
        else:
            self._finish(event, True, value)

    def _finish(self, event: _HandlerEvent, ok: bool, value: Any) -> None:
        ticket = event.ticket
        if ok and inspect.isawaitable(value):  # a plain function that returned an awaitable
            self.calls[ticket] = self.loop.create_task(self._await(event, value))
            return
        self.calls.pop(ticket, None)
        try:
            if ok:
                self.conn.send_result(event, value)
            else:
                if not isinstance(value, (ToolError, ArgumentError)) and self.native.is_live(ticket):
                    log.warning("%r failed: %s", event, error_text(value), exc_info=value)
                self.conn.send_error(event, value)
        except Exception:  # noqa: BLE001 - never let one answer stop the server
            log.exception("picomcp could not answer %r", event)
        self.dispatch()  # the answer may free an HTTP connection: its next request is a call now

    async def _await(self, event: _HandlerEvent, awaitable: Any) -> None:
        await _outcome(awaitable, lambda ok, value: self._finish(event, ok, value))

    # ------------------------------------------------------------------ bearer tokens

    def _authorize(self, token: Optional[str]) -> None:
        """Ask the verifier about ``token`` (its requests wait for the answer)."""
        from .server import is_async_callable

        assert self.auth is not None
        verify = self.auth.verify
        if is_async_callable(verify):
            self._verify_later(token, verify(token))
            return
        run_in_context = contextvars.copy_context().run
        loop, decide = self.loop, self._decide

        def work() -> None:
            value: Any
            try:
                value, ok = run_in_context(verify, token), True
            except BaseException as exc:  # noqa: BLE001 - a failed check is a refusal
                value, ok = exc, False
            try:
                loop.call_soon_threadsafe(decide, token, ok, value)
            except RuntimeError:  # the loop is closed
                pass

        self.pool.submit(work)

    def _verify_later(self, token: Optional[str], awaitable: Any) -> None:
        task = self.loop.create_task(_outcome(awaitable, lambda ok, value: self._decide(token, ok, value)))
        self.verifying.add(task)
        task.add_done_callback(self.verifying.discard)

    def _decide(self, token: Optional[str], ok: bool, value: Any) -> None:
        """Give the core the verifier's answer; the requests held for it go on."""
        if ok and inspect.isawaitable(value):  # a plain function that returned an awaitable
            self._verify_later(token, value)
            return
        native = self.native
        try:
            if ok and isinstance(value, Grant):
                native.authorized(token, (value.name, list(value.scopes)))
            elif ok and value is None:
                native.authorized(token)
            elif not ok and isinstance(value, InsufficientScope):
                try:
                    native.authorized(token, insufficient_scope=value.scope)
                except ValueError as exc:
                    log.warning("picomcp: the bearer-token verifier's InsufficientScope(%r) cannot be sent (%s): "
                                "answering 401", value.scope, exc)
                    native.authorized(token)
            else:
                if ok:
                    log.warning("picomcp: the bearer-token verifier returned %s, not a Grant or None: answering 401",
                                type(value).__name__)
                else:
                    log.warning("picomcp: the bearer-token verifier failed (answering 401): %s", error_text(value),
                                exc_info=value)
                native.authorized(token)
        except Exception:  # noqa: BLE001 - never let one decision stop the server
            log.exception("picomcp could not pass on a bearer-token decision")
        self.dispatch()  # the held requests ran: their calls are events now

    async def shutdown(self) -> None:
        """Cancel what is still running (plain functions see ``ctx.cancelled``)."""
        for task in list(self.verifying):
            task.cancel()
        for ctx in list(self.conn._contexts.values()):
            ctx._cancel()
        tasks = [task for task in self.calls.values() if task is not None]
        self.calls.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)


# --------------------------------------------------------------------------- stdio


async def _outcome(awaitable: Any, done: Callable[[bool, Any], None]) -> None:
    """Await ``awaitable``, then hand ``done`` (True, its value) or (False, what it raised)."""
    try:
        value = await awaitable
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - a failure is an outcome like any other
        done(False, exc)
    else:
        done(True, value)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:  # stdout shares a non-blocking file description with stdin
            select.select([], [fd], [])
            continue
        view = view[written:]


class _PipeReader(asyncio.Protocol):
    def __init__(self, feed: Callable[[bytes], None]) -> None:
        self.feed = feed

    def data_received(self, data: bytes) -> None:
        self.feed(data)

    def eof_received(self) -> Optional[bool]:
        self.feed(b"")
        return None

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.feed(b"")


async def _open_reader(loop: asyncio.AbstractEventLoop, fd: int, feed: Callable[[bytes], None]) -> Callable[[], None]:
    """Read ``fd`` into ``feed`` (``b""`` at the end); returns a function that stops."""
    if sys.platform != "win32":
        try:
            pipe = open(fd, "rb", buffering=0, closefd=False)  # noqa: SIM115 - the transport closes it
            transport, _ = await loop.connect_read_pipe(lambda: _PipeReader(feed), pipe)
            return transport.close
        except (ValueError, OSError, NotImplementedError):
            pass  # a regular file, or a loop without pipe support: read in a thread

    def read() -> None:
        while True:
            try:
                data = os.read(fd, READ_SIZE)
            except OSError:
                data = b""
            try:
                loop.call_soon_threadsafe(feed, data)
            except RuntimeError:
                return
            if not data:
                return

    threading.Thread(target=read, name="picomcp-stdin", daemon=True).start()
    return lambda: None


async def _serve_stdio(server: Any, principal: Optional[Grant] = None) -> None:
    loop = asyncio.get_running_loop()
    sys.stdout.flush()
    in_fd, out_fd = sys.stdin.fileno(), sys.stdout.fileno()
    done: "asyncio.Future[None]" = loop.create_future()

    def finish() -> None:
        if not done.done():
            done.set_result(None)

    def flush() -> None:
        data = driver.native.take_output()
        if data:
            try:
                _write_all(out_fd, data)
            except OSError:  # the client closed its end of stdout
                finish()

    driver = _Driver(server, loop, flush, principal=principal)

    def feed(data: bytes) -> None:
        if not data:
            if not done.done():
                driver.native.finish()  # a last line without its newline is still a message
                driver.dispatch()
            finish()
        elif not done.done():
            driver.native.receive(data)
            driver.dispatch()

    was_blocking = os.get_blocking(in_fd) if hasattr(os, "get_blocking") else True
    stop = await _open_reader(loop, in_fd, feed)
    try:
        await done
    finally:
        stop()
        await driver.shutdown()
        flush()
        if hasattr(os, "set_blocking"):
            try:
                os.set_blocking(in_fd, was_blocking)
            except OSError:
                pass


# --------------------------------------------------------------------------- HTTP


async def _serve_http(server: Any, host: str, port: int, auth: Optional[BearerAuth] = None) -> None:
    loop = asyncio.get_running_loop()
    writers: Dict[int, asyncio.StreamWriter] = {}

    def take(conn: int) -> None:
        data, close = driver.native.http_take(conn)
        writer = writers.get(conn)
        if writer is None:
            return
        if data:
            writer.write(data)
        if close:
            del writers[conn]
            writer.close()

    # Connections not read while they hold a whole request beyond the one being answered
    # (or one held until a request slot frees or its token is decided).
    paused: Dict[int, asyncio.Event] = {}

    def flush() -> None:
        for conn in driver.native.http_pending():
            take(conn)
        for conn, wake in list(paused.items()):
            if conn not in writers or driver.native.http_wants_input(conn):
                del paused[conn]
                wake.set()

    driver = _Driver(server, loop, flush, auth=auth)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        native = driver.native
        conn = native.http_open()
        writers[conn] = writer
        try:
            while conn in writers:
                data = await reader.read(READ_SIZE)
                if not data:
                    break
                native.http_receive(conn, data)
                driver.dispatch()
                take(conn)
                if conn in writers:
                    await writer.drain()
                if conn in writers and not native.http_wants_input(conn):
                    wake = paused.setdefault(conn, asyncio.Event())
                    await wake.wait()
        except (ConnectionError, OSError):
            pass
        finally:
            if writers.pop(conn, None) is not None:
                writer.close()
            native.http_closed(conn)
            driver.dispatch()

    listener = await asyncio.start_server(handle, host, port)
    bound = listener.sockets[0].getsockname()[1] if listener.sockets else port
    shown = f"[{host}]" if ":" in host else host
    print(f"picomcp: {server.name} serving MCP (Streamable HTTP) at http://{shown}:{bound}/mcp", file=sys.stderr,
          flush=True)
    try:
        async with listener:
            await listener.serve_forever()
    finally:
        await driver.shutdown()


# --------------------------------------------------------------------------- entry points

_TRANSPORTS = {"stdio": "stdio", "http": "http", "streamable-http": "http", "streamable_http": "http"}


def _check(transport: str, principal: Optional[Grant], auth: Optional[BearerAuth]) -> str:
    kind = _TRANSPORTS.get(transport)
    if kind is None:
        raise ValueError(f"unknown transport {transport!r} (use 'stdio' or 'http')")
    if principal is not None:
        if not isinstance(principal, Grant):
            raise TypeError(f"principal is a picomcp.Grant or None, not {type(principal).__name__}")
        if kind != "stdio":
            raise ValueError("principal names the stdio peer; over HTTP callers are named by auth=BearerAuth(...)")
    if auth is not None:
        if not isinstance(auth, BearerAuth):
            raise TypeError(f"auth is a picomcp.BearerAuth or None, not {type(auth).__name__}")
        if kind != "http":
            raise ValueError("auth=BearerAuth(...) is for transport='http' (name a stdio peer with principal=)")
    return kind


async def serve_async(server: Any, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000, *,
                      principal: Optional[Grant] = None, auth: Optional[BearerAuth] = None) -> None:
    """Serve ``server`` on the running loop (``Server.run`` without owning the loop)."""
    if _check(transport, principal, auth) == "stdio":
        await _serve_stdio(server, principal)
    else:
        await _serve_http(server, host, port, auth)


def serve(server: Any, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000, *,
          principal: Optional[Grant] = None, auth: Optional[BearerAuth] = None) -> None:
    """Serve ``server`` on a new asyncio loop until the client leaves (stdio) or the
    process is interrupted (HTTP)."""
    _check(transport, principal, auth)
    try:
        asyncio.run(serve_async(server, transport, host, port, principal=principal, auth=auth))
    except KeyboardInterrupt:
        pass
