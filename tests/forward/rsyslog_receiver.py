"""A real rsyslogd on loopback, started and stopped by the test.

It runs in the foreground with its own configuration, work directory and pid
file under the test's directory (no system service, no root-only path), and
listens on free ports: plain TCP (imtcp, octet-counted framing), TLS (gtls,
anonymous clients) and, with `client_auth`, TLS that demands a client
certificate signed by the test CA. Every message it accepts is written as one
JSON line (rsyslog's own `jsonmesg`: the raw message, the input it came in on,
the peer) to a file the test reads back with `messages()`; rsyslogd's own
messages go to another file, which `connections()` counts.

A restart keeps the ports, so a sender configured once sees the same receiver
go away and come back.
"""

import json
import os
import shutil
import signal
import subprocess
import time

import syslog_frames


class Unavailable(Exception):
    """rsyslogd (or its TLS driver) is not installed: the syslog cases are skipped."""


def find_rsyslogd():
    for candidate in (shutil.which("rsyslogd"), "/usr/sbin/rsyslogd", "/sbin/rsyslogd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise Unavailable("rsyslogd is not installed (Debian package rsyslog)")


def gtls_available():
    for libdir in ("/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog", "/usr/lib/rsyslog",
                   "/usr/lib64/rsyslog"):
        if os.path.exists(os.path.join(libdir, "lmnsd_gtls.so")):
            return True
    return False


def _listening_ports():
    """Ports with a listening TCP socket on this machine (rsyslog writes its port file only
    for port 0, so a restart on a known port is seen here)."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


class Received:
    """One message as rsyslog stored it: `raw` (bytes as sent), `input` (tcp, tls or mtls),
    `peer` (the sender's address) and `message` (the strict RFC 5424 parse of `raw`, or None
    with `error` set when it does not parse)."""

    def __init__(self, entry):
        self.raw = entry["rawmsg"].encode("utf-8")
        self.input = entry.get("inputname")
        self.peer = entry.get("fromhost-ip")
        self.rsyslog = entry
        try:
            self.message = syslog_frames.parse_message(self.raw)
            self.error = None
        except syslog_frames.SyslogError as e:
            self.message = None
            self.error = str(e)


class Rsyslog:
    def __init__(self, directory, pki=None, server_cert="good", client_auth=False, max_message_size="256k"):
        """`pki`: a tls_material.Pki for the TLS inputs (none without it); `server_cert`: which
        of its server certificates the TLS inputs present (good, wrong_ca, expired, wrong_host)."""
        self.binary = find_rsyslogd()
        if pki is not None and not gtls_available():
            raise Unavailable("rsyslog's TLS driver is not installed (Debian package rsyslog-gnutls)")
        self.dir = directory
        self.pki = pki
        self.server_cert = server_cert
        self.client_auth = client_auth
        self.max_message_size = max_message_size
        self.output = os.path.join(directory, "received.jsonl")
        self.internal = os.path.join(directory, "rsyslogd-internal.jsonl")
        self.ports = {}
        self._proc = None
        self._log = None
        os.makedirs(os.path.join(directory, "work"), exist_ok=True)
        self.start()

    # ---- lifecycle ----------------------------------------------------------

    @property
    def running(self):
        return self._proc is not None and self._proc.poll() is None

    def start(self):
        """Starts rsyslogd and waits until every input listens (on the same ports as before, if
        it ran before)."""
        if self.running:
            return
        inputs = ["tcp"] + (["tls"] + (["mtls"] if self.client_auth else []) if self.pki else [])
        for name in inputs:
            path = self._port_file(name)
            if os.path.exists(path):
                os.unlink(path)
        config = os.path.join(self.dir, "rsyslog.conf")
        with open(config, "w") as f:
            f.write(self._config(inputs))
        self._log = open(os.path.join(self.dir, "rsyslogd.log"), "ab")
        self._proc = subprocess.Popen(
            [self.binary, "-n", "-f", config, "-i", os.path.join(self.dir, "rsyslogd.pid")],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self._proc.returncode}: {self.log_tail()}")
            for name in inputs:
                if name not in self.ports and os.path.exists(self._port_file(name)):
                    with open(self._port_file(name)) as f:
                        text = f.read().strip()
                    if text:
                        self.ports[name] = int(text)
            if all(n in self.ports for n in inputs) and all(p in _listening_ports() for p in self.ports.values()):
                return
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"rsyslogd did not start listening within 15 s: {self.log_tail()}")

    def stop(self):
        """Stops rsyslogd (SIGTERM: it writes what it accepted, then exits)."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
        if self._log:
            self._log.close()
            self._log = None

    def restart(self, server_cert=None):
        self.stop()
        if server_cert is not None:
            self.server_cert = server_cert
        self.start()

    def close(self):
        self.stop()

    # ---- what it received -----------------------------------------------------

    def messages(self):
        """Every message written so far, in the order rsyslog wrote them."""
        if not os.path.exists(self.output):
            return []
        out = []
        with open(self.output, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    out.append(Received(json.loads(line)))
        return out

    def connections(self):
        """Connections accepted so far (rsyslogd notes each one)."""
        if not os.path.exists(self.internal):
            return 0
        with open(self.internal, encoding="utf-8", errors="replace") as f:
            return sum(1 for line in f if "connection established" in line)

    def wait_for(self, count, timeout=20):
        """Messages once at least `count` are written (or what there is at the deadline)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages()
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    def settle(self, quiet=0.3, timeout=20):
        """Messages once their number has not changed for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        count, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            n = len(self.messages())
            if n != count:
                count, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
            time.sleep(0.05)
        return self.messages()

    def log_tail(self, lines=20):
        path = os.path.join(self.dir, "rsyslogd.log")
        if not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    # ---- configuration ----------------------------------------------------------

    def _port_file(self, name):
        return os.path.join(self.dir, f"port-{name}")

    def _config(self, inputs):
        q = json.dumps  # rsyslog's string syntax accepts JSON-quoted paths
        work = os.path.join(self.dir, "work")
        lines = [
            f'global(workDirectory={q(work)} maxMessageSize="{self.max_message_size}"',
            '       parser.escapeControlCharactersOnReceive="off" net.enableDNS="off" processInternalMessages="on")',
            # Messages rsyslog has read are written out before it exits on SIGTERM.
            'main_queue(queue.timeoutShutdown="10000" queue.timeoutActionCompletion="10000")',
            'module(load="imtcp" maxSessions="1000" notifyOnConnectionOpen="on")',
        ]
        for name in inputs:
            port = self.ports.get(name, 0)
            attrs = [f'type="imtcp" name="{name}" port="{port}" address="127.0.0.1"',
                     f'listenPortFileName={q(self._port_file(name))}']
            if name != "tcp":
                cert, key = self.pki.server_pair(self.server_cert)
                auth = "x509/certvalid" if name == "mtls" else "anon"
                attrs += ['streamDriver.name="gtls" streamDriver.mode="1"', f'streamDriver.authMode="{auth}"',
                          f'streamDriver.CAFile={q(self.pki.ca_cert)}', f'streamDriver.CertFile={q(cert)}',
                          f'streamDriver.KeyFile={q(key)}']
            lines.append("input(" + " ".join(attrs) + ")")
        # rsyslogd's own messages (a connection opened, errors) go to a file of their own.
        lines += ['template(name="preloop_jsonl" type="string" string="%jsonmesg%\\n")',
                  'if $inputname == "rsyslogd" then {',
                  f'  action(type="omfile" file={q(self.internal)} template="preloop_jsonl")',
                  '  stop', '}',
                  f'action(type="omfile" file={q(self.output)} template="preloop_jsonl" flushOnTXEnd="on")']
        return "\n".join(lines) + "\n"
