"""A hard deadline around one whole HTTP exchange: connect, headers and body together.

Why this exists: a socket timeout bounds each single receive, not the exchange. A server that
sends one byte every second — inside its headers or its body — never trips it, and a fetch
would wait forever: the command line printed nothing, the agent's fetch threads filled up with
such calls (starving the healthy profiles), and quitting waited on them.

How: while a request runs inside :class:`Deadline`, every urllib3 connection it uses (new or
kept alive) is registered with it. A timer thread fires at the deadline and shuts the socket
down (``SHUT_RDWR``), which makes the blocked receive in the requesting thread return at once;
the caller then reports "too slow" because :attr:`Deadline.expired` is set, whatever exception
the broken read produced. :meth:`Deadline.expire` is also how a client aborts its in-flight
exchanges at quit, so shutting down never waits on the network.

:func:`watch_pools` installs the registering connection classes on a ``requests`` adapter's
pool manager (direct and proxied). The current deadline is thread-local: ``requests`` runs the
whole exchange in the calling thread.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from types import TracebackType
from typing import Any

_current = threading.local()
SOCKET_SLACK = 1.0
"""Seconds added to the per-receive socket timeout, so that the exchange's deadline always ends
it first and the outcome does not depend on which of two equal timers fired first."""


class Deadline:
    """Cuts the connections of the exchange run inside it once ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self._expired = False
        self._timer = threading.Timer(max(seconds, 0.0), self.expire)
        self._timer.daemon = True

    @property
    def expired(self) -> bool:
        with self._lock:
            return self._expired

    def __enter__(self) -> Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        _current.deadline = None
        with self._lock:
            self._connections.clear()

    def watch(self, connection: Any, sock: socket.socket | None = None) -> None:
        """Register ``connection`` (cut at once when the deadline has already passed)."""
        with self._lock:
            self._connections.append(connection)
            expired = self._expired
        if expired:
            _cut(sock if sock is not None else getattr(connection, "sock", None))

    def expire(self) -> None:
        """The deadline has passed (or the client is closing): cut every connection now."""
        with self._lock:
            self._expired = True
            connections = list(self._connections)
        for connection in connections:
            _cut(getattr(connection, "sock", None))


def _cut(sock: socket.socket | None) -> None:
    # socket.socket.shutdown, not SSLSocket.shutdown: the TLS object must stay in place for the
    # reading thread, which only needs its receive to end.
    if sock is not None:
        with contextlib.suppress(OSError, ValueError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _register(connection: Any, sock: socket.socket | None = None) -> None:
    deadline: Deadline | None = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(connection, sock)


@functools.cache
def _watched_pools() -> dict[str, Any]:
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Watched:
        """Registers the connection when its socket is made and whenever a request starts."""

        def _new_conn(self) -> socket.socket:
            sock: socket.socket = super()._new_conn()  # type: ignore[misc]
            _register(self, sock)
            return sock

        def request(self, *args: Any, **kwargs: Any) -> Any:
            _register(self)
            return super().request(*args, **kwargs)  # type: ignore[misc]

    class WatchedHTTP(Watched, HTTPConnection):
        pass

    class WatchedHTTPS(Watched, HTTPSConnection):
        pass

    class WatchedHTTPPool(HTTPConnectionPool):
        ConnectionCls = WatchedHTTP

    class WatchedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = WatchedHTTPS

    return {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}


def watch_pools(manager: Any) -> Any:
    """Make ``manager`` (a urllib3 PoolManager or ProxyManager) use registering connections."""
    manager.pool_classes_by_scheme = _watched_pools()
    return manager
