"""The Wayland wire format of :mod:`tray_app.gui.wayland.wire`, over a real socket pair.

The other end of the pair plays the compositor's part byte for byte (headers, padding, file
descriptors as SCM_RIGHTS); the whole client against a real compositor is tested on headless
sway (tests/desktop/test_wayland_clipboard.py).
"""

from __future__ import annotations

import array
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tray_app.gui.wayland.wire import (
    HEADER,
    Connection,
    Reader,
    WaylandError,
    socket_path,
    string,
    u32,
)


def event(object_id: int, opcode: int, *args: bytes) -> bytes:
    payload = b"".join(args)
    return HEADER.pack(object_id, (HEADER.size + len(payload)) << 16 | opcode) + payload


@pytest.fixture
def pair() -> Iterator[tuple[Connection, socket.socket]]:
    client, server = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    connection = Connection(client)
    yield connection, server
    connection.close()
    server.close()


def test_strings_carry_their_length_a_nul_and_padding() -> None:
    assert string("abc") == u32(4) + b"abc\0"
    assert string("abcd") == u32(5) + b"abcd\0\0\0\0"
    assert len(string("text/plain;charset=utf-8")) % 4 == 0


def test_a_reader_takes_arguments_in_order() -> None:
    reader = Reader(u32(7) + string("wl_seat") + u32(9), lambda: -1)

    assert (reader.uint(), reader.string(), reader.uint()) == (7, "wl_seat", 9)


def test_requests_are_framed_with_object_id_size_and_opcode(
    pair: tuple[Connection, socket.socket],
) -> None:
    connection, server = pair

    connection.send(5, 2, u32(11), string("x"))

    data = server.recv(100)
    object_id, word = HEADER.unpack_from(data)
    assert (object_id, word & 0xFFFF, word >> 16) == (5, 2, len(data))
    assert data[HEADER.size :] == u32(11) + string("x")


def test_an_event_with_a_file_descriptor_reaches_its_handler(
    pair: tuple[Connection, socket.socket],
) -> None:
    connection, server = pair
    received: list[tuple[int, str, int]] = []
    source = connection.new_id(lambda op, args: received.append((op, args.string(), args.fd())))
    reader, writer = os.pipe()
    fds = array.array("i", [writer])
    server.sendmsg(
        [event(source, 0, string("text/plain"))], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)]
    )
    os.close(writer)

    connection.read()

    ((opcode, mime, fd),) = received
    assert (opcode, mime) == (0, "text/plain")
    os.write(fd, b"token")
    os.close(fd)
    assert os.read(reader, 10) == b"token"
    os.close(reader)


def test_an_event_split_across_reads_is_dispatched_once_whole(
    pair: tuple[Connection, socket.socket],
) -> None:
    connection, server = pair
    seen: list[str] = []
    target = connection.new_id(lambda _op, args: seen.append(args.string()))
    message = event(target, 0, string("UTF8_STRING"))

    server.sendall(message[:6])
    connection.read()
    assert seen == []
    server.sendall(message[6:])
    connection.read()

    assert seen == ["UTF8_STRING"]


def test_a_protocol_error_and_a_closed_socket_raise(pair: tuple[Connection, socket.socket]) -> None:
    connection, server = pair
    server.sendall(event(1, 0, u32(3), u32(1), string("invalid offer")))

    with pytest.raises(WaylandError, match="protocol error 1 on object 3: invalid offer"):
        connection.read()

    server.close()
    with pytest.raises(WaylandError, match="closed"):
        connection.read()


def test_a_roundtrip_waits_for_the_callback(pair: tuple[Connection, socket.socket]) -> None:
    connection, server = pair
    server.sendall(event(2, 0, u32(0)))  # wl_callback.done for the id the sync will use

    connection.roundtrip(timeout=1)

    assert HEADER.unpack_from(server.recv(100))[0] == 1  # the sync went to wl_display


def test_a_silent_compositor_ends_the_roundtrip_at_the_timeout(
    pair: tuple[Connection, socket.socket],
) -> None:
    connection, _server = pair

    with pytest.raises(WaylandError, match="did not answer"):
        connection.roundtrip(timeout=0.05)


def test_the_socket_is_found_as_libwayland_finds_it() -> None:
    assert socket_path({"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": "/run/u"}) == Path(
        "/run/u/wayland-1"
    )
    assert socket_path({"WAYLAND_DISPLAY": "/srv/w", "XDG_RUNTIME_DIR": "/run/u"}) == Path("/srv/w")
    assert socket_path({"XDG_RUNTIME_DIR": "/run/u"}) is None
    assert socket_path({"WAYLAND_DISPLAY": "wayland-1"}) is None


def test_a_request_can_carry_a_file_descriptor(pair: tuple[Connection, socket.socket]) -> None:
    connection, server = pair
    reader, writer = os.pipe()
    connection.send_fd(7, 0, writer, string("text/plain"))
    os.close(writer)
    data, ancillary, _flags, _addr = server.recvmsg(4096, socket.CMSG_SPACE(4))
    assert data == event(7, 0, string("text/plain"))
    ((level, kind, fd_data),) = ancillary
    assert (level, kind) == (socket.SOL_SOCKET, socket.SCM_RIGHTS)
    passed = array.array("i", fd_data)[0]
    os.write(passed, b"through the compositor")  # what the selection's owner would do
    os.close(passed)
    assert os.read(reader, 100) == b"through the compositor"
    os.close(reader)
