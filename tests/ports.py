"""Listening sockets on ports the OS picks, handed to the server as they are.

A port found free and bound later (`free_port()`) can be taken in between by another test
or process on a busy machine; a socket bound once and passed on cannot.
"""

import socket


def loopback_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def refusing_socket() -> socket.socket:
    """A loopback port held, never listened on: connections to it are refused, and no
    other process can take it while the socket is open."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock
