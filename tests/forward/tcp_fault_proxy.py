"""A loopback TCP proxy in front of a receiver that can misbehave on purpose.

Modes (set with `mode = ...` at any time; a change applies to data not yet forwarded):
  pass    forward both ways
  stall   accept and hold: read nothing and send nothing (a receiver that hangs); stalled
          connections resume when the mode goes back to pass, newest first (what a
          recovering receiver may well do), whatever the client did meanwhile
  refuse  the listening port is closed (receiver down); reopened on the same port by pass
  reset   forward `reset_after` bytes of each new connection, then reset both sides (RST)
          in the middle of whatever is being sent; later connections are passed through
          once `resets` connections have been cut

`at_bytes(n, callback)` calls callback() (say, restarting the receiver) once n bytes
in all have been forwarded, before forwarding more: a restart in the middle of
a stream. It counts connections and bytes from clients, for load figures. TLS passes
through untouched (the proxy sees only bytes).

The proxy stands for the network, not for a middlebox that acknowledges for the
receiver: a receiver that closes before the client's end reached it (client bytes held
by the proxy or on their way, or a silent close after the client's last bytes) would
answer those bytes with a reset, or leave a client that ends its stream in CLOSING;
the proxy then resets the client on its next bytes or its end instead of passing the
receiver's FIN on.
"""

import fcntl
import socket
import struct
import termios
import threading
import time

from socket_reset import reset


def _pending(sock):
    """Bytes the client sent that the proxy has not read yet."""
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0" * 4))[0] > 0
    except OSError:
        return False


class FaultProxy:
    def __init__(self, target_port, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.connections = 0
        self.bytes_in = 0
        self.cut = 0                 # connections reset by the reset mode
        self.stalled = 0             # connections held by the stall mode
        self.triggered = 0           # at_bytes callbacks run
        self.active = 0              # connections being served
        self.reset_after = 200
        self.resets = 1
        self._mode = "pass"
        self._trigger = None
        self._stalled = []           # tickets of held connections, oldest first
        self._cond = threading.Condition()
        self._closed = False
        self._listener = None
        self.port = 0
        self._open_listener()

    # ---- control --------------------------------------------------------------

    @property
    def mode(self):
        return self._mode

    @mode.setter
    def mode(self, value):
        assert value in ("pass", "stall", "refuse", "reset"), value
        with self._cond:
            self._mode = value
            self._cond.notify_all()
        if value == "refuse":
            self._close_listener()
        elif self._listener is None:
            self._open_listener()

    def at_bytes(self, n, callback):
        with self._cond:
            self._trigger = (n, callback)

    def _forward(self, upstream, data):
        """Sends data upstream, running the at_bytes callback at its byte."""
        with self._cond:
            trigger = self._trigger
            if trigger and self.bytes_in + len(data) >= trigger[0]:
                self._trigger = None
                split = max(0, trigger[0] - self.bytes_in)
            else:
                trigger = None
        if trigger:
            upstream.sendall(data[:split])
            with self._cond:
                self.bytes_in += split
            trigger[1]()
            with self._cond:
                self.triggered += 1
            data = data[split:]
        upstream.sendall(data)
        with self._cond:
            self.bytes_in += len(data)

    def close(self):
        with self._cond:
            self._closed = True
            self._mode = "refuse"
            self._cond.notify_all()
        self._close_listener()

    # ---- plumbing -------------------------------------------------------------

    def _open_listener(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(256)
        self.port = sock.getsockname()[1]
        self._listener = sock
        threading.Thread(target=self._accept_loop, args=(sock,), daemon=True).start()

    def _close_listener(self):
        sock, self._listener = self._listener, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept_loop(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._cond:
                self.connections += 1
                cut = self._mode == "reset" and self.cut < self.resets
                if cut:
                    self.cut += 1
            threading.Thread(target=self._serve, args=(client, cut), daemon=True).start()

    def _wait_passing(self, sock):
        """Blocks while stalled, then waits for this connection's turn (newest first); False
        when the proxy closed."""
        with self._cond:
            if self._mode != "stall":
                return not self._closed
            ticket = object()
            self._stalled.append(ticket)
            self.stalled += 1
            while self._mode == "stall" and not self._closed:
                self._cond.wait(0.2)
            while self._stalled and self._stalled[-1] is not ticket and not self._closed:
                self._cond.wait(0.2)
        threading.Timer(0.1, self._end_turn, args=(ticket,)).start()   # the next one waits 0.1 s
        return not self._closed

    def _end_turn(self, ticket):
        with self._cond:
            self._stalled.remove(ticket)
            self._cond.notify_all()

    def idle(self, timeout=30):
        """Waits until no connection is open or held; True when idle."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self.active or self._stalled) and time.monotonic() < deadline:
                self._cond.wait(0.05)
            return not (self.active or self._stalled)

    def _serve(self, client, cut):
        with self._cond:
            self.active += 1
        try:
            self._serve_one(client, cut)
        finally:
            with self._cond:
                self.active -= 1
                self._cond.notify_all()

    def _serve_one(self, client, cut):
        if not self._wait_passing(client):
            reset(client)
            return
        try:
            upstream = socket.create_connection(self.target, timeout=10)
            upstream.settimeout(None)
        except OSError:
            reset(client)
            return
        done = threading.Event()
        # holding: client bytes read, not yet forwarded; client_eof: the client's end forwarded;
        # last: which way bytes went last; lost: the receiver closed before the client's end
        # reached it (the client is reset on its next bytes or end).
        link = {"holding": False, "client_eof": False, "last": None, "lost": False, "lock": threading.Lock()}
        threading.Thread(target=self._pump_back, args=(upstream, client, done, link), daemon=True).start()
        budget = self.reset_after if cut else None
        try:
            while True:
                data = client.recv(65536)
                with link["lock"]:
                    lost = link["lost"]
                    link["holding"] = bool(data)
                if lost:
                    reset(upstream)
                    reset(client)
                    return
                if not data:
                    with link["lock"]:
                        link["client_eof"] = True
                    upstream.shutdown(socket.SHUT_WR)
                    break
                if budget is not None and len(data) >= budget:
                    upstream.sendall(data[:budget])
                    with self._cond:
                        self.bytes_in += budget
                    time.sleep(0.05)      # let the receiver read the part before the cut
                    reset(upstream)
                    reset(client)
                    return
                if budget is not None:
                    budget -= len(data)
                if not self._wait_passing(client):
                    break
                self._forward(upstream, data)
                with link["lock"]:
                    link["holding"], link["last"] = False, "up"
                    lost = link["lost"]
                if lost:              # the receiver closed before these bytes reached it
                    reset(upstream)
                    reset(client)
                    return
        except OSError:
            reset(upstream)
            reset(client)
            return
        done.wait(30)
        with link["lock"]:
            lost = link["lost"]
        if lost:
            reset(upstream)
            reset(client)
            return
        for s in (client, upstream):
            try:
                s.close()
            except OSError:
                pass

    def _pump_back(self, upstream, client, done, link):
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    with link["lock"]:
                        # Client bytes held or on their way, or the receiver closing silently
                        # after the client's last bytes while the client's end is still to come.
                        link["lost"] = (link["holding"] or _pending(client) or
                                        (not link["client_eof"] and link["last"] == "up"))
                        if not link["lost"]:
                            client.shutdown(socket.SHUT_WR)
                    break
                client.sendall(data)
                with link["lock"]:
                    link["last"] = "down"
        except OSError:               # the receiver reset the connection: so does the proxy
            with link["lock"]:
                link["lost"] = True
        finally:
            done.set()
