"""The tray's side of :mod:`tray_app.ipc.protocol`: a ``QLocalServer`` that never blocks the GUI
thread.

Design decisions:

* Everything is event-driven on the GUI thread (``readyRead``, timers, signals); nothing here
  calls a ``waitFor…`` method, so a slow or hostile client cannot stall the tray. A client
  must send its whole request line within ``read_timeout_ms`` and at most ``max_request``
  bytes; otherwise it gets an error answer and the connection is closed.
* ``UserAccessOption``: the socket file is made 0600 by Qt, inside a 0700 folder
  (:func:`tray_app.runtime.instance.prepare_runtime_dir`). On Linux each connection's peer uid is
  read with ``SO_PEERCRED`` (on a duplicate of the socket's descriptor) and another user's
  connection is refused with an error answer. The peer-uid function is injected for tests. Where the
  platform offers no peer credentials (``None``), the private folder is the guard.
* A socket file left by a killed instance is removed (``QLocalServer.removeServer``) only after
  a probe finds nobody answering on it; the single-instance lock has already said that no live
  instance owns it. A socket somebody answers on is never replaced (with
  ``UserAccessOption`` Qt would rename its new socket over it without complaint).
* What a request means is decided by the injected handler
  (:class:`tray_app.runtime.ipc_requests.RequestHandler`); it may answer at once or later, and an
  answer for a client that has gone away is dropped.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from tray_app.core.errors import AppError, ErrorKind
from tray_app.core.logsetup import log_unexpected
from tray_app.ipc import protocol
from tray_app.runtime.workers import unexpected_error

_log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]
Handler = Callable[[dict[str, Any], Reply], None]
PeerUid = Callable[[int], int | None]
MAX_PENDING = 256
REFUSED_UID = -1


def peer_uid(descriptor: int) -> int | None:
    """The uid of the process at the other end of a Unix socket; None where unknown."""
    if sys.platform == "linux":
        option, layout, field = socket.SO_PEERCRED, "3i", 1  # struct ucred: pid, uid, gid
    elif sys.platform == "darwin":  # pragma: no cover - macOS: LOCAL_PEERCRED, struct xucred
        option, layout, field = 0x001, "2I", 1
    else:  # pragma: no cover - other platforms: the private folder is the guard
        return None
    level = socket.SOL_SOCKET if sys.platform == "linux" else 0
    try:
        with socket.fromfd(descriptor, socket.AF_UNIX, socket.SOCK_STREAM) as duplicate:
            raw = duplicate.getsockopt(level, option, struct.calcsize(layout))
    except OSError:
        return REFUSED_UID
    return int(struct.unpack(layout, raw[: struct.calcsize(layout)])[field])


def someone_answers(name: str) -> bool:
    """True when a live server accepts connections on ``name`` (a socket path, or a pipe)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        from tray_app.ipc import winpipe

        # Qt would add its instances to a pipe someone else created first (no
        # FILE_FLAG_FIRST_PIPE_INSTANCE): refuse instead. The client checks the owner too.
        return winpipe.pipe_exists(name)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(name)
        except OSError:
            return False
    return True


def _denied() -> AppError:
    return AppError(
        ErrorKind.USAGE,
        "Not your Token Tray",
        "This Token Tray belongs to another user on this computer.",
    )


def _already_served() -> AppError:
    return AppError(
        ErrorKind.INTERNAL,
        "Token Tray is already running",
        "Another Token Tray already answers the command line; this one does not.",
    )


def _too_large(limit: int) -> AppError:
    return protocol.bad_request(f"The request is larger than {limit} bytes.")


def _too_slow() -> AppError:
    return protocol.bad_request("The request did not arrive in time (one JSON line is expected).")


class _Connection(QObject):
    """One client: collects one request line, hands it on, writes one answer, closes."""

    def __init__(
        self, sock: QLocalSocket, server: IpcServer, max_request: int, timeout_ms: int
    ) -> None:
        super().__init__(server)
        self._socket, self._server, self._max = sock, server, max_request
        self._buffer = b""
        self._answered = False
        self._gone = False  # disconnected: the socket is (about to be) deleted
        sock.setParent(self)
        sock.readyRead.connect(self._on_ready_read)
        sock.disconnected.connect(self._on_disconnected)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._timer.start(timeout_ms)

    @Slot()
    def _on_ready_read(self) -> None:
        if self._answered:
            self._socket.readAll()  # ignore anything after the request
            return
        self._buffer += bytes(self._socket.read(self._max + 1 - len(self._buffer)).data())
        line, newline, _rest = self._buffer.partition(b"\n")
        if newline:
            self._timer.stop()
            self._answered = True
            self._server.dispatch(line, self.reply)
        elif len(self._buffer) > self._max:
            self.fail(_too_large(self._max))

    @Slot()
    def _on_timeout(self) -> None:
        if not self._answered:
            self.fail(_too_slow())

    def fail(self, error: AppError) -> None:
        self._answered = True
        self._timer.stop()
        self.reply(protocol.error_answer(error))

    def reply(self, answer: dict[str, Any]) -> None:
        """Write ``answer`` and close; dropped when the client has already gone."""
        if self._gone or self._socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            return
        self._socket.write(protocol.encode(answer))
        self._socket.disconnectFromServer()

    @Slot()
    def _on_disconnected(self) -> None:
        self._gone = True
        self._timer.stop()
        self.deleteLater()


class IpcServer(QObject):
    """Serves :mod:`tray_app.ipc.protocol` requests on the local socket, through ``handler``."""

    def __init__(
        self,
        handler: Handler,
        *,
        name: str | None = None,
        peer_uid: PeerUid = peer_uid,
        max_request: int = protocol.MAX_REQUEST_BYTES,
        read_timeout_ms: int = int(protocol.READ_TIMEOUT_S * 1000),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._handler, self._peer_uid = handler, peer_uid
        self._name = name if name is not None else protocol.server_name()
        self._max, self._timeout_ms = max_request, read_timeout_ms
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.setMaxPendingConnections(MAX_PENDING)
        self._server.newConnection.connect(self._on_new_connection)

    @property
    def name(self) -> str:
        return self._name

    def is_listening(self) -> bool:
        return self._server.isListening()

    def listen(self) -> None:
        """Start serving; a stale socket file is replaced. AppError when that is impossible."""
        if self._server.isListening():
            return
        if sys.platform == "win32":  # pragma: no cover - Windows only: pipes never go stale
            if someone_answers(self._name):
                raise _already_served()
        elif os.path.exists(self._name):
            if someone_answers(self._name):  # never take over a live server's socket
                raise _already_served()
            _log.info("Removing a stale command-line socket left by an earlier run")
            QLocalServer.removeServer(self._name)
        if not self._server.listen(self._name):
            raise AppError(
                ErrorKind.INTERNAL,
                "Command line cannot connect",
                f"Token Tray could not open its connection for the command line at "
                f"{self._name} ({self._server.errorString()}). `token-tray token` will fetch "
                "tokens directly instead.",
            )
        _log.info("Serving the command line")

    def close(self) -> None:
        """Stop serving and remove the socket file."""
        if self._server.isListening():
            self._server.close()
        if sys.platform != "win32" and os.path.exists(self._name):
            QLocalServer.removeServer(self._name)

    def dispatch(self, line: bytes, reply: Reply) -> None:
        """Parse one request line and let the handler answer it.

        A handler that fails still answers (an internal error, logged): a client left without
        an answer would wait until its own timeout, and the failure would go unexplained.
        """
        answered = False

        def once(answer: dict[str, Any]) -> None:
            nonlocal answered
            if not answered:
                answered = True
                reply(answer)

        try:
            request = protocol.parse_request(line)
        except protocol.ProtocolError as error:
            once(protocol.error_answer(protocol.bad_request(str(error))))
            return
        try:
            self._handler(request, once)
        except Exception as exc:  # noqa: BLE001 - logged, and the client gets an answer
            log_unexpected(_log, exc, "while answering the command line")
            once(protocol.error_answer(unexpected_error()))

    @Slot()
    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            connection = _Connection(sock, self, self._max, self._timeout_ms)
            uid = self._peer_uid(int(sock.socketDescriptor()))
            if uid is not None and uid != os.getuid():
                _log.warning("Refused a command-line connection from another user")
                connection.fail(_denied())
