"""What arrived at a receiver, reduced to one shape, and checked against what the
machines' audit stores hold.

Every sink carries, per record, the stable id "<host id>-<seq>-<hash prefix>",
the chain sequence and hash, and per batch the chain head (sequence and hash).
`from_syslog`, `from_otlp` and `from_hec` read them from what rsyslog wrote or
what the stand-ins kept; `check` compares them with the stores:

  missing        records a store holds that never arrived (must be empty)
  unexpected     ids no store holds (must be empty)
  duplicates     {id: count} of records that arrived more than once (at-least-once
                 allows them; each copy must be the same record)
  order          per host, first arrivals out of chain order
  heads          batches whose chain head is behind their records or does not match
                 the store's hash at that sequence
"""

import collections
import json


class Delivered:
    def __init__(self, record_id, host_id, seq, hash_, head_seq, head_hash, attributes):
        self.id, self.host_id, self.seq, self.hash = record_id, host_id, seq, hash_
        self.head_seq, self.head_hash = head_seq, head_hash
        self.attributes = attributes

    def __repr__(self):
        return f"Delivered({self.id})"


def _int(v):
    return int(v) if v is not None and str(v).lstrip("-").isdigit() else None


def from_syslog(messages):
    """rsyslog_receiver.Received list -> ([Delivered], [problems])."""
    out, problems = [], []
    for m in messages:
        if m.message is None:
            problems.append(f"not RFC 5424: {m.error}: {m.raw[:120]!r}")
            continue
        sd = "preloop@32473"
        try:
            attributes = json.loads(m.message.msg)
        except ValueError as e:
            problems.append(f"MSG is not JSON ({e}): {m.message.msg[:120]!r}")
            continue
        rid = m.message.param(sd, "id")
        if rid is None or attributes.get("preloop.record.id") != rid:
            problems.append(f"SD id {rid!r} missing or differs from the MSG's {attributes.get('preloop.record.id')!r}")
            continue
        out.append(Delivered(rid, attributes.get("preloop.host_id"), _int(m.message.param(sd, "seq")),
                             m.message.param(sd, "hash"), _int(m.message.param(sd, "head_seq")),
                             m.message.param(sd, "head_hash"), attributes))
    return out, problems


def from_otlp(records):
    """otlp_standin.LogRecord list -> ([Delivered], [problems])."""
    out, problems = [], []
    for r in records:
        a = r.attributes
        rid = a.get("preloop.record.id")
        if not rid:
            problems.append(f"log record without preloop.record.id: {a}")
            continue
        head = r.scope.get("attributes", {})
        out.append(Delivered(rid, r.resource.get("host.id"), _int(a.get("preloop.chain.seq")),
                             a.get("preloop.chain.hash"), _int(head.get("preloop.chain.head_seq")),
                             head.get("preloop.chain.head_hash"), dict(a, **r.resource)))
    return out, problems


def from_hec(events):
    """HEC event objects -> ([Delivered], [problems])."""
    out, problems = [], []
    for e in events:
        f = e.get("fields", {})
        rid = f.get("preloop_record_id")
        if not rid:
            problems.append(f"HEC event without fields.preloop_record_id: {str(e)[:200]}")
            continue
        event = e.get("event") if isinstance(e.get("event"), dict) else {}
        out.append(Delivered(rid, f.get("preloop_host_id"), _int(f.get("preloop_chain_seq")),
                             event.get("preloop.chain.hash"), _int(f.get("preloop_head_seq")),
                             f.get("preloop_head_hash"), event))
    return out, problems


def _content(d):
    """A record's attributes without what may differ between two sends of it (the chain
    head and the time it was sent)."""
    return {k: v for k, v in d.attributes.items() if not k.startswith("preloop.chain.head")}


class Report:
    def __init__(self):
        self.missing, self.unexpected, self.order, self.heads, self.mismatched = [], [], [], [], []
        self.duplicates = {}
        self.delivered = 0
        self.unique = 0

    @property
    def ok(self):
        return not (self.missing or self.unexpected or self.order or self.heads or self.mismatched)

    def summary(self, limit=8):
        parts = []
        for name in ("missing", "unexpected", "order", "heads", "mismatched"):
            items = getattr(self, name)
            if items:
                parts.append(f"{name} ({len(items)}): {items[:limit]}")
        return "; ".join(parts) or (f"{self.unique} records, {self.delivered} deliveries, "
                                    f"{len(self.duplicates)} duplicated")


def check(stores, delivered):
    """stores: {host_id: [(seq, hash, tool_use_id, hook_event), ...]}; delivered: [Delivered] in
    arrival order."""
    report = Report()
    expected = {}
    for host_id, rows in stores.items():
        for seq, hash_, tool_use_id, hook_event in rows:
            expected[f"{host_id}-{seq}-{hash_[:16]}"] = (host_id, seq, hash_, tool_use_id, hook_event)
    store_hash = {(h, seq): hash_ for h, rows in stores.items() for seq, hash_, _, _ in rows}
    seen = collections.Counter()
    first = {}
    last_seq = {}
    for d in delivered:
        report.delivered += 1
        seen[d.id] += 1
        want = expected.get(d.id)
        if want is None:
            report.unexpected.append(d.id)
            continue
        host_id, seq, hash_, tool_use_id, hook_event = want
        if (d.host_id, d.seq, d.hash) != (host_id, seq, hash_):
            report.mismatched.append(f"{d.id}: carries host {d.host_id} seq {d.seq} hash {d.hash}")
        elif d.attributes.get("tool_use_id", "") != (tool_use_id or ""):   # empty values are left out
            report.mismatched.append(f"{d.id}: tool_use_id {d.attributes.get('tool_use_id')!r} "
                                     f"where the store has {tool_use_id!r}")
        if d.head_seq is None or d.head_seq < seq or store_hash.get((host_id, d.head_seq)) != d.head_hash:
            report.heads.append(f"{d.id}: head {d.head_seq}/{(d.head_hash or '')[:12]}")
        if d.id in first:
            if _content(first[d.id]) != _content(d):
                report.mismatched.append(f"{d.id}: a duplicate differs from the first copy")
            continue
        first[d.id] = d
        if seq <= last_seq.get(host_id, 0):
            report.order.append(f"{host_id[:8]}: seq {seq} after {last_seq[host_id]}")
        last_seq[host_id] = max(seq, last_seq.get(host_id, 0))
    report.missing = sorted((k for k in expected if k not in seen), key=lambda k: (expected[k][0], expected[k][1]))
    report.duplicates = {k: n for k, n in seen.items() if n > 1}
    report.unique = len(first)
    return report
