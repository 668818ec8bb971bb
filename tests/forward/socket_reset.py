"""Dropping a connection the way a failing receiver does."""

import socket
import struct


def reset(sock, wake=False):
    """Drops a connection with a reset (RST: linger 0, then close). The RST goes when the
    last reference to the socket does (a handler's file objects keep it); `wake` also shuts
    it down now, which wakes a thread blocked reading it (the peer may see a FIN first)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if wake:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
