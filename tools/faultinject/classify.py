"""Outcome of each injected fault, from one boot's console (docs/design.md,
"Fault injection"; formats in docs/faultinject.md sections 1 and 2).

Pure functions, standard library only. Input: the boot's console text (the
serial log with the load generator's summary lines appended, as tests/run.py
and tools/campaign.py write it) and the boot's fault plan. Output: exactly
one outcome per planned fault:

  not_activated          never applied, or applied but never executed
  no_effect              activated; the quiet-period restart came with nothing else,
                         and the client saw nothing beyond the bounds in that
                         generation's load segment (at most `bound` datagrams
                         lost, no stall over `stall_ms`, some echo)
  recovered_transparent  the driver failed and was restarted; the client saw no
                         error, lost at most `bound` datagrams, and the outage
                         lasted at most `stall_ms`
  recovered_visible      the driver came back (after a failure or the quiet
                         restart) but the client saw an effect beyond those bounds
                         (after a quiet restart: only if the next generation serves)
  not_recovered          driver given up, restart failed, down or hung at the end
                         (also: the boot reached its time limit with the driver
                         not back while the hypervisor and others kept going)
  silent_corruption      a lost acknowledged write or a corrupt block, caught by the
                         workload's verifier (diskverify's window of the fault's
                         generation: lost or corrupt > 0)
  isolation_breach       hypervisor panic or no HV-RESULT, another domain crashed
                         or was restarted, a bystander stalled, a corrupt echo

The quiet-period restart is the campaign runner's, not the system's: it
ends a generation so that the next fault starts afresh. A fault the system
alone would never recover from (the driver alive but not serving until the
quiet restart, e.g. a client that dropped its connection and stayed
disconnected) is therefore not `no_effect` and never transparent: it is
`recovered_visible` when the next generation serves again, `not_recovered`
when it does not.

Attribution: the driver's generation g is the window of the fault planned for
gen=g. Hypervisor lines are in console order, so an event belongs to the
driver generation current when it is printed; events that are not about the
driver (another domain crashed, a panic) belong to the last fault applied
(the first planned fault when none was applied yet). Load generator lines
labelled genG (tools/campaign.py runs one load segment per driver
generation) belong to generation G; an unlabelled summary covers the whole
boot and is charged to every activated fault of it.

Disk target (no load generator): each diskverify client prints one line per
window, `diskverify: window G: ops N, errors E, lost L, corrupt C, longest
wait W ms` (guest/apps/diskverify.c). A window starts when the client is
connected to backend generation G and ends when the read-back pass after the
next reconnection is done, so the writes generation G's failure lost are
counted in G's window; the line belongs to the fault planned for gen=G (a
generation the client never connected to has no window of its own: its
effects show in the window of the generation before). Lost or corrupt > 0:
silent_corruption; errors > 0 or a wait above stall_ms: a client-visible
effect. A client that printed window lines is judged by them, not by its exit
code (which repeats the sum).
"""
import re

OUTCOMES = ("not_activated", "no_effect", "recovered_transparent", "recovered_visible",
            "not_recovered", "silent_corruption", "isolation_breach")
QUIET_REASON = "fi: next fault"
LOADGEN_TIMEOUT_MS = 500        # tools/campaign.py's loadgen --timeout-ms

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_PLAN = re.compile(r"^fault id=(\d+) domain=(\S+) gen=(\d+) after=(\d+) addr=(0x[0-9a-f]+) "
                   r"orig=([0-9a-f]+) new=([0-9a-f]+) type=(\w+)$")
_RX = {
    "applied": re.compile(r"^fi: fault (\d+) applied to (\S+) generation (\d+) at (0x[0-9a-f]+) "
                          r"after (\d+) exits \(t=([\d.]+) ms\)"),
    "not_applied": re.compile(r"^fi: fault (\d+) not applied: (.*)$"),
    "activated": re.compile(r"^fi: fault (\d+) activated at (0x[0-9a-f]+) \(t=([\d.]+) ms\)"),
    "not_activated": re.compile(r"^fi: fault (\d+) not activated: generation (\d+) ended"),
    "quiet": re.compile(r"^fi: fault (\d+) quiet: "),
    "created": re.compile(r"^hv: domain (\d+) \((\S+)\) created: .*generation (\d+)"),
    "crashed": re.compile(r"^hv: domain (\d+) \((\S+)\) crashed: (.*)$"),
    "exited": re.compile(r"^hv: domain (\d+) \((\S+)\) exited with code (-?\d+)"),
    "recovered": re.compile(r"^hv: restart (\S+) #(\d+) \(generation (\d+)\): failure detected at "
                            r"([\d.]+) ms .*first packet forwarded \+(\d+) us; cause: (.*)$"),
    "given_up": re.compile(r"^hv: (\S+) given up: (.*)$"),
    "restart_failed": re.compile(r"^hv: restart of (\S+) failed (.*)$"),
    "panic": re.compile(r"^hv: PANIC: (.*)$"),
    "result": re.compile(r"^HV-RESULT: (\S+)"),
    "timed_out": re.compile(r"^campaign: timed out"),
    "pause": re.compile(r"^hvtest: fi gen (\d+) bystander (\S+) longest pause (\d+) ms"),
    "final": re.compile(r"^hvtest: fi final (\S+) generation (\d+) state (\S+)"),
    "window": re.compile(r"^\[(\S+)\] diskverify: window (\d+): ops (\d+), errors (\d+), "
                         r"lost (\d+), corrupt (\d+), longest wait (\d+) ms"),
    "guest": re.compile(r"^\[(\S+)\] (.*)$"),
    "loadgen": re.compile(r"^loadgen: (label=.*)$"),
}
# What a client prints when the network is gone for good (guest/apps/udpecho.c).
_CLIENT_ERRORS = ("backend is gone for good",)


class Fault:
    """One line of a fault plan (docs/faultinject.md section 1)."""
    FIELDS = ("id", "domain", "gen", "after", "addr", "orig", "new", "type")

    def __init__(self, id, domain, gen, after, addr, orig, new, type):
        self.id, self.domain, self.gen, self.after = int(id), domain, int(gen), int(after)
        self.addr, self.orig, self.new, self.type = addr, orig, new, type

    def line(self):
        return ("fault id=%d domain=%s gen=%d after=%d addr=%s orig=%s new=%s type=%s" %
                (self.id, self.domain, self.gen, self.after, self.addr, self.orig, self.new,
                 self.type))

    def with_gen(self, gen):
        return Fault(self.id, self.domain, gen, self.after, self.addr, self.orig, self.new,
                     self.type)


def parse_plan_line(line):
    """A Fault from one plan line, None for blank/comment lines; ValueError if malformed."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    m = _PLAN.match(line)
    if not m:
        raise ValueError("not a fault plan line: %r" % line)
    return Fault(*m.groups())


def parse_loadgen(line):
    """The key=value pairs of a loadgen summary line ('loadgen: label=...'), numbers as int/float."""
    m = _RX["loadgen"].match(clean(line))
    if not m:
        return None
    kv = {}
    for w in m.group(1).split():
        k, _, v = w.partition("=")
        try:
            kv[k] = int(v)
        except ValueError:
            try:
                kv[k] = float(v)
            except ValueError:
                kv[k] = v
    return kv


def clean(line):
    return _ANSI.sub("", line).replace("\r", "").strip()


class Outcome:
    """untried: the console never mentions the fault (the boot ended before its
    turn); a campaign may run it again in another boot."""
    def __init__(self, outcome, activated, recovery_ms=None, why="", untried=False):
        assert outcome in OUTCOMES
        self.outcome, self.activated, self.recovery_ms, self.why = outcome, activated, recovery_ms, why
        self.untried = untried

    def __repr__(self):
        return "Outcome(%s, activated=%s, recovery_ms=%s, %r)" % (
            self.outcome, self.activated, self.recovery_ms, self.why)


class _Gen:
    """What happened to one generation of the driver."""
    def __init__(self):
        self.crash = None           # crash reason
        self.exited = None          # exit code
        self.recovery_us = None     # failure detected -> first packet forwarded of gen+1
        self.given_up = self.restart_failed = False
        self.pause_ms = 0           # bystander's longest pause while this gen was current
        self.client_errors = []
        self.disk = None            # summed diskverify window counts of this generation


class _Boot:
    """Everything read from one console, before any judgement."""
    def __init__(self, driver):
        self.driver = driver
        self.gen = 1                # driver generation current at this point of the console
        self.created = set()        # driver generations the hypervisor built
        self.gens = {}
        self.fi = {}                # fault id -> {event: value}
        self.last_applied = None
        self.breaches = []          # (fault id or None, why)
        self.breached = set()       # domains already reported in a breach
        self.result = None
        self.timed_out = False      # the runner stopped the boot at its time limit
        self.alive_after_fault = False  # another domain printed after the last fault
        self.segments = {}          # generation -> loadgen summary dict
        self.whole = []             # unlabelled loadgen summaries
        self.window_clients = set() # clients judged by their diskverify window lines

    def g(self, n=None):
        return self.gens.setdefault(self.gen if n is None else n, _Gen())

    def breach(self, why, domain=None):
        if domain is not None:
            if domain in self.breached:
                return          # the boot-end facts repeat what the console said
            self.breached.add(domain)
        self.breaches.append((self.last_applied, why))


def _read(lines, driver):
    b = _Boot(driver)
    for raw in lines:
        line = clean(raw)
        for kind, rx in _RX.items():
            m = rx.match(line)
            if m:
                _event(b, kind, m)
                break
    return b


def _event(b, kind, m):
    drv = b.driver
    if kind in ("applied", "not_applied", "activated", "not_activated", "quiet"):
        fid = int(m.group(1))
        b.fi.setdefault(fid, {})[kind] = m.groups()
        if kind == "applied":
            b.last_applied = fid
            b.alive_after_fault = False
    elif kind == "created":
        name, gen = m.group(2), int(m.group(3))
        if name == drv:
            b.gen = gen
            b.created.add(gen)
        elif gen > 1:
            b.breach("domain %s restarted (generation %d)" % (name, gen), name)
    elif kind == "crashed":
        if m.group(2) == drv:
            b.g().crash = m.group(3)
        else:
            b.breach("domain %s crashed: %s" % (m.group(2), m.group(3)), m.group(2))
    elif kind == "exited":
        if m.group(2) == drv:
            b.g().exited = int(m.group(3))
        elif int(m.group(3)) != 0 and m.group(2) not in b.window_clients:
            b.g().client_errors.append("%s exited with code %s" % (m.group(2), m.group(3)))
    elif kind == "recovered" and m.group(1) == drv:
        b.g(int(m.group(3)) - 1).recovery_us = int(m.group(5))
    elif kind == "given_up" and m.group(1) == drv:
        b.g().given_up = True
    elif kind == "restart_failed" and m.group(1) == drv:
        b.g().restart_failed = True
    elif kind == "panic":
        b.breach("hypervisor panic: " + m.group(1))
    elif kind == "result":
        b.result = m.group(1)
    elif kind == "timed_out":
        b.timed_out = True
    elif kind == "pause":
        b.g(int(m.group(1))).pause_ms = max(b.g(int(m.group(1))).pause_ms, int(m.group(3)))
    elif kind == "final":
        name, gen, state = m.group(1), int(m.group(2)), m.group(3)
        if name != drv and (gen > 1 or state == "crashed"):
            b.breach("domain %s ended in generation %d, state %s" % (name, gen, state), name)
    elif kind == "window":
        b.alive_after_fault = True
        b.window_clients.add(m.group(1))
        g = b.g(int(m.group(2)))
        vals = dict(zip(("ops", "errors", "lost", "corrupt", "wait_ms"),
                        (int(x) for x in m.groups()[2:])))
        if g.disk is None:
            g.disk = vals
        else:
            g.disk = {k: max(v, g.disk[k]) if k == "wait_ms" else v + g.disk[k]
                      for k, v in vals.items()}
    elif kind == "guest":
        if m.group(1) != drv:
            b.alive_after_fault = True
        if m.group(1) != drv and any(e in m.group(2) for e in _CLIENT_ERRORS):
            b.g().client_errors.append("%s: %s" % (m.group(1), m.group(2)))
    elif kind == "loadgen":
        kv = parse_loadgen(m.group(0))
        lab = re.match(r"gen(\d+)$", str(kv.get("label", "")))
        if lab:
            b.segments[int(lab.group(1))] = kv
        else:
            b.whole.append(kv)


def _load_effects(load, bound):
    """Client-visible effects in one load summary: (breach, visible) lists of reasons."""
    breach, visible = [], []
    if not load:
        return breach, visible
    if load.get("corrupt", 0):
        breach.append("%d corrupt echoes" % load["corrupt"])
    if load.get("longest_burst", 0) > bound:
        visible.append("a burst of %d lost datagrams (bound %d)" % (load["longest_burst"], bound))
    elif load.get("lost", 0) > bound:
        visible.append("%d datagrams lost (bound %d)" % (load["lost"], bound))
    if load.get("dup", 0):
        visible.append("%d duplicate echoes" % load["dup"])
    return breach, visible


def _service_lost(load, stall_ms):
    """Reasons the client went without service in one load segment: a stall
    longer than stall_ms (loadgen's stall_ms), or no echo at all."""
    if not load:
        return []
    why = []
    if load.get("stall_ms", 0) > stall_ms:
        why.append("the client had no service for %d ms (bound %.0f ms)" %
                   (load["stall_ms"], stall_ms))
    if load.get("sent", 0) and not load.get("echoed", 0):
        why.append("no echo in the whole generation (%d datagrams sent)" % load["sent"])
    return why


def _serves_again(f, b):
    """The generation after f's forwarded a packet or echoed the client."""
    nxt = b.segments.get(f.gen + 1)
    return b.gens.get(f.gen, _Gen()).recovery_us is not None or bool(nxt and nxt.get("echoed"))


def _disk_effects(disk, stall_ms):
    """A generation's diskverify windows: (silent corruption, visible) lists of reasons."""
    silent, visible = [], []
    if not disk:
        return silent, visible
    if disk["lost"]:
        silent.append("%d acknowledged sectors lost" % disk["lost"])
    if disk["corrupt"]:
        silent.append("%d corrupt sectors" % disk["corrupt"])
    if disk["errors"]:
        visible.append("%d I/O errors returned to the client" % disk["errors"])
    if disk["wait_ms"] > stall_ms:
        visible.append("an I/O waited %d ms (bound %.0f ms)" % (disk["wait_ms"], stall_ms))
    return silent, visible


def classify(lines, faults, driver="netdd", bound=20, stall_ms=1000.0):
    """{fault id: Outcome} for every fault of `faults` (Faults of this boot's plan).

    lines: the console (a string or an iterable of lines); driver: the faulted
    domain's name; bound: datagrams a restart may lose and stay transparent;
    stall_ms: longest outage (failure to first forwarded packet) and bystander
    pause that still count as unnoticed."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    lines = list(lines)
    b = _read(lines, driver)
    first = faults[0].id if faults else None
    breach = {}
    for fid, why in b.breaches:
        breach.setdefault(fid if fid is not None else first, []).append(why)
    stuck = None
    last = b.last_applied if b.last_applied is not None else first   # what a bad end is blamed on
    if b.result is None and b.timed_out and b.alive_after_fault and not b.breaches:
        # The hypervisor and the other domains kept going; the driver never
        # came back before the boot's time limit.
        stuck = last
    elif b.result is None:
        breach.setdefault(last, []).append("no HV-RESULT line (hang, reset or crash)")
    elif b.result == "PANIC" and not any("panic" in w for ws in breach.values() for w in ws):
        breach.setdefault(last, []).append("HV-RESULT: PANIC")
    out = {}
    for f in faults:
        if is_client_fault(f):      # the driver's containment of a hostile client is judged
            out[f.id] = judge_client(f, b, breach.get(f.id, []), lines, stall_ms, f.id == stuck)
            continue
        out[f.id] = _judge(f, b, breach.get(f.id, []), bound, stall_ms)
        if f.id == stuck and not breach.get(f.id):
            out[f.id] = Outcome("not_recovered", out[f.id].activated, None,
                                "boot time limit reached with the driver not back; "
                                "hypervisor and other domains alive")
    return out


def _judge(f, b, breaches, bound, stall_ms):
    ev = b.fi.get(f.id, {})
    activated = "activated" in ev
    g = b.gens.get(f.gen, _Gen())
    load = b.segments.get(f.gen)
    loads = [load] if load else (b.whole if activated else [])
    lb, visible = [], []
    for ld in loads:
        x, y = _load_effects(ld, bound)
        lb += x
        visible += y
    if g.pause_ms > stall_ms:
        lb.append("bystander paused %d ms" % g.pause_ms)
    if breaches or lb:
        return Outcome("isolation_breach", activated, _rec(g), "; ".join(breaches + lb))
    silent, dvis = _disk_effects(g.disk, stall_ms)
    visible += dvis
    if silent:
        # Never hidden behind "not activated": data was lost in this window.
        return Outcome("silent_corruption", activated, _rec(g), "; ".join(silent) +
                       ("" if activated else " (fault not activated)"))
    unapplied = _unapplied(ev)
    if unapplied:
        return unapplied
    if not activated:
        return Outcome("not_activated", False, None,
                       "generation ended first" if "not_activated" in ev else
                       "not executed before the run ended")
    if g.given_up or g.restart_failed:
        return Outcome("not_recovered", True, None,
                       "driver given up" if g.given_up else "restart failed")
    if g.exited is not None:
        return Outcome("not_recovered", True, None, "driver exited (code %d)" % g.exited)
    visible += g.client_errors
    quiet = "quiet" in ev or g.crash == QUIET_REASON
    if g.crash is not None and not quiet:
        if g.recovery_us is None:
            return Outcome("not_recovered", True, None,
                           "driver failed (%s), not back by the end" % g.crash)
        rec = g.recovery_us / 1000.0
        if rec > stall_ms:
            visible.append("outage of %.1f ms (bound %.0f ms)" % (rec, stall_ms))
        if visible:
            return Outcome("recovered_visible", True, rec, "; ".join(visible))
        return Outcome("recovered_transparent", True, rec, "failed: " + g.crash)
    if quiet:
        # The quiet restart is the hypervisor's, not a failure: what counts is
        # that the next generation was built (its own fault may stop it
        # before it forwards anything).
        if f.gen + 1 not in b.created and b.result is None:
            return Outcome("not_recovered", True, None, "quiet restart, driver not rebuilt by the end")
        # The quiet restart itself (the runner's, at the segment's end) may
        # cost the client its outage plus one load-generator timeout for a
        # datagram lost in it: a slow restart is not held against the fault.
        allow = max(stall_ms, (g.recovery_us or 0) / 1000.0 + LOADGEN_TIMEOUT_MS)
        for ld in loads:
            visible += _service_lost(ld, allow)
        if visible and not _serves_again(f, b):
            return Outcome("not_recovered", True, None,
                           "no failure detected, but " + "; ".join(visible) +
                           "; the generation after the quiet restart did not serve")
        if visible:
            return Outcome("recovered_visible", True, None,
                           "no failure detected, but " + "; ".join(visible) +
                           " until the campaign's quiet restart")
        return Outcome("no_effect", True, None, "quiet period passed")
    return Outcome("not_recovered", True, None,
                   "driver neither failed nor passed its quiet period by the end (hung)")


def _unapplied(ev):
    """The outcome of a fault its boot never applied (ev: its fi: events), refused by
    the hypervisor or never reached (untried: it goes into a later boot); None once
    it was applied."""
    if "applied" in ev:
        return None
    if "not_applied" in ev:
        return Outcome("not_activated", False, None, "not applied: " + ev["not_applied"][1])
    return Outcome("not_activated", False, None, "never applied (the run ended first)",
                   untried=True)


def _rec(g):
    """Recovery time of a failure (not of a quiet-period restart), in ms."""
    if g.recovery_us is None or g.crash in (None, QUIET_REASON):
        return None
    return g.recovery_us / 1000.0


CLIENT_TYPE_PREFIX = "cl_"      # a client's site faults (faultinject/clientfaults.c)


def is_client_fault(f):
    """A fault injected into a client (its type is a client site type), not the driver."""
    return f.type.startswith(CLIENT_TYPE_PREFIX)


_DOMID = re.compile(r"^hv: domain (\d+) \((\S+)\) created")
_NETBACK = re.compile(r"^\[(\S+)\] netback: client (\d+) disconnected: (.*)$")


def _client_facts(lines, driver, client):
    """From the console, after the client fault's activation: the driver's netback
    lines that dropped a client, as (this client?, reason), and the client's domain id."""
    ids, drops, on = {}, [], False
    for raw in lines:
        line = clean(raw)
        m = _DOMID.match(line)
        if m:
            ids[m.group(2)] = m.group(1)
        if _RX["activated"].match(line):
            on = True
        m = _NETBACK.match(line)
        if on and m and m.group(1) == driver:
            drops.append((m.group(2) == ids.get(client), "%s (domain %s)" % (m.group(3),
                                                                          m.group(2))))
    return drops


def judge_client(f, b, breaches, lines, stall_ms, stuck=False):
    """Outcome of a fault in a client domain (docs/design.md, "Client faults"). The
    system under test is the driver's containment of a hostile client: the fault runs
    alone in its boot, so whatever happens to the driver, the hypervisor or another
    domain is its doing. The faulty client's own loss of service (its load segment,
    its own crash) is expected and only recorded in the detail."""
    ev = b.fi.get(f.id, {})
    activated = "activated" in ev
    own = "domain %s " % f.domain
    mine = [w for w in breaches if w.startswith(own)]
    worse = [w for w in breaches if not w.startswith(own)]
    drops = _client_facts(lines, b.driver, f.domain)
    worse += ["netback dropped another client: " + why for me, why in drops if not me]
    drv = []
    for n in sorted(b.gens):
        g = b.gens[n]
        if g.crash is not None:
            drv.append("driver %s generation %d failed: %s" % (b.driver, n, g.crash))
        if g.given_up or g.restart_failed or g.exited is not None:
            drv.append("driver %s generation %d %s" % (
                b.driver, n, "given up" if g.given_up else "restart failed"
                if g.restart_failed else "exited (code %d)" % g.exited))
        if g.pause_ms > stall_ms:
            worse.append("bystander paused %d ms" % g.pause_ms)
    if len(b.created) > 1 and not drv:
        drv.append("driver %s restarted (generations %s)" % (
            b.driver, ",".join(map(str, sorted(b.created)))))
    if stuck:
        drv.append("boot time limit reached with the driver not serving")
    if worse or (activated and drv):
        return Outcome("isolation_breach", activated, None, "; ".join(worse + drv))
    unapplied = _unapplied(ev)
    if unapplied:
        return unapplied
    if not activated:
        return Outcome("not_activated", False, None, "; ".join(
            ["not executed before its quiet period ended"] + drv))
    seen = ["netback dropped it: " + why for me, why in drops if me] or \
        ["netback did not drop it"]
    load = b.segments.get(1) or (b.whole[0] if b.whole else None)
    if load:
        seen.append("the client's own service: %d of %d echoed, %d lost, longest stall %d ms" %
                    (load.get("echoed", 0), load.get("sent", 0), load.get("lost", 0),
                     load.get("stall_ms", 0)))
    seen += ["its own end: " + w for w in mine]
    return Outcome("no_effect", True, None, "driver contained it; " + "; ".join(seen))
