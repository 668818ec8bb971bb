"""RFC 5424 syslog messages, parsed strictly, and RFC 6587 octet-counted framing.

A receiver hands `parse_message` the exact bytes of one message; anything that
is not well-formed RFC 5424 raises SyslogError naming what is wrong.
"""

import re

NILVALUE = "-"

_HEADER = re.compile(
    rb"<(?P<pri>\d{1,3})>(?P<version>[1-9]\d{0,2}) "
    rb"(?P<timestamp>\S+) (?P<hostname>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) ")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
_SD_NAME = re.compile(rb'[^\x00-\x20="\]\x7f-\xff]{1,32}')
_BOM = b"\xef\xbb\xbf"


class SyslogError(ValueError):
    pass


class Message:
    """One parsed message: header fields (str, None for NILVALUE), structured data
    as {sd_id: [(name, value), ...]} in order, and the MSG part (str)."""

    def __init__(self, pri, version, timestamp, hostname, app_name, procid, msgid, sd, msg):
        self.pri, self.version = pri, version
        self.facility, self.severity = pri >> 3, pri & 7
        self.timestamp, self.hostname, self.app_name = timestamp, hostname, app_name
        self.procid, self.msgid, self.sd, self.msg = procid, msgid, sd, msg

    def param(self, sd_id, name):
        for n, v in self.sd.get(sd_id, []):
            if n == name:
                return v
        return None


def _header_field(raw, name, limit):
    value = raw.decode("ascii", errors="strict")
    if len(value) > limit:
        raise SyslogError(f"{name} longer than {limit} characters: {value[:40]!r}")
    if any(not (33 <= ord(c) <= 126) for c in value):
        raise SyslogError(f"{name} has a character outside PRINTUSASCII")
    return None if value == NILVALUE else value


def _parse_sd(data, pos):
    """Structured data from data[pos:]: (dict, position after it)."""
    if data[pos:pos + 1] == b"-":
        return {}, pos + 1
    sd = {}
    while data[pos:pos + 1] == b"[":
        pos += 1
        m = _SD_NAME.match(data, pos)
        if not m:
            raise SyslogError(f"bad SD-ID at byte {pos}")
        sd_id = m.group().decode()
        pos = m.end()
        if sd_id in sd:
            raise SyslogError(f"SD-ID {sd_id} appears twice")
        params = []
        while data[pos:pos + 1] == b" ":
            pos += 1
            name_match = _SD_NAME.match(data, pos)
            end = name_match.end() if name_match else pos
            name = data[pos:end]
            if not name or data[end:end + 2] != b'="':
                raise SyslogError(f"bad SD-PARAM in [{sd_id}] at byte {pos}")
            pos = end + 2
            value = bytearray()
            while True:
                if pos >= len(data):
                    raise SyslogError(f"unterminated PARAM-VALUE in [{sd_id}]")
                c = data[pos]
                if c == 0x5C:  # backslash: escapes only " \ ]
                    nxt = data[pos + 1:pos + 2]
                    if nxt in (b'"', b"\\", b"]"):
                        value += nxt
                        pos += 2
                        continue
                    value.append(c)
                    pos += 1
                    continue
                if c == 0x22:
                    pos += 1
                    break
                if c == 0x5D:
                    raise SyslogError(f"unescaped ']' in a PARAM-VALUE of [{sd_id}]")
                value.append(c)
                pos += 1
            try:
                params.append((name.decode("ascii"), value.decode("utf-8")))
            except UnicodeDecodeError:
                raise SyslogError(f"PARAM-VALUE in [{sd_id}] is not UTF-8")
        if data[pos:pos + 1] != b"]":
            raise SyslogError(f"[{sd_id}] not closed at byte {pos}")
        pos += 1
        sd[sd_id] = params
    if not sd:
        raise SyslogError(f"no STRUCTURED-DATA at byte {pos}")
    return sd, pos


def parse_message(data):
    """Parses one RFC 5424 message (bytes)."""
    m = _HEADER.match(data)
    if not m:
        raise SyslogError(f"not an RFC 5424 header: {data[:80]!r}")
    pri = int(m.group("pri"))
    if pri > 191:
        raise SyslogError(f"PRI {pri} out of range")
    if m.group("version") != b"1":
        raise SyslogError(f"VERSION {m.group('version').decode()} is not 1")
    timestamp = _header_field(m.group("timestamp"), "TIMESTAMP", 40)
    if timestamp is not None and not _TIMESTAMP.match(timestamp):
        raise SyslogError(f"TIMESTAMP {timestamp!r} is not RFC 3339 as RFC 5424 restricts it")
    hostname = _header_field(m.group("hostname"), "HOSTNAME", 255)
    app = _header_field(m.group("app"), "APP-NAME", 48)
    procid = _header_field(m.group("procid"), "PROCID", 128)
    msgid = _header_field(m.group("msgid"), "MSGID", 32)
    sd, pos = _parse_sd(data, m.end())
    msg = b""
    if pos < len(data):
        if data[pos:pos + 1] != b" ":
            raise SyslogError(f"no space between STRUCTURED-DATA and MSG at byte {pos}")
        msg = data[pos + 1:]
    if msg.startswith(_BOM):
        msg = msg[len(_BOM):]
    try:
        text = msg.decode("utf-8")
    except UnicodeDecodeError:
        raise SyslogError("MSG is not UTF-8")
    return Message(pri, 1, timestamp, hostname, app, procid, msgid, sd, text)


def frame(message):
    """Octet-counted frame of one message (bytes)."""
    return b"%d " % len(message) + message
