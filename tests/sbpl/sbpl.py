#!/usr/bin/env python3
"""sbpl.py - a Seatbelt (SBPL) evaluator for sbx's tests (never installed).

Reads what `sbx policy TOOL` prints (the profile, then ";; -DNAME=value"
lines) and answers whether an operation is allowed, by SBPL's rules: the
rules are read in order and the LAST one whose operation and filters match
decides; `(deny default)` first makes the answer "deny" when none does.

    sbpl.py POLICY TABLE      check a table; exit 1 on any wrong answer
    sbpl.py POLICY -q OP ARG [KEY=VALUE...]   print allow or deny
    sbpl.py --argv FILE ...   the same, from the argv sandbox-exec got
                              (NUL-separated, as tests/fake-sandbox-exec
                              records it: -p PROFILE -DNAME=value... --)

A table line: `allow|deny OP ARG [KEY=VALUE...]  # what needs it` (words
split as by a shell: quote a path with spaces), e.g.
    allow file-write-data  /ws/out.o          # the compiler's output
    deny  file-write-unlink /ws               # mv $WS elsewhere
    allow network-bind     unix:/tmp/x.sock   # multiprocessing.Manager
    allow network-outbound tcp:localhost:8080 # a test server
    allow sysctl-read      hw.ncpu            # os.cpus()
    allow mach-lookup      com.apple.trustd   # TLS
    allow ipc-posix-shm-write-create /psm_1   # shared_memory
    allow file-ioctl /dev/ttys004 ext=com.apple.sandbox.pty
    allow signal -         target=same-sandbox
ARG is a path for file-*, `unix:PATH` or `tcp:HOST:PORT` for network-*,
a name for sysctl-*, mach-lookup, ipc-posix-*, iokit-*, `-` for none.
Keys: type=VNODE-TYPE (default CHARACTER-DEVICE under /dev, else
REGULAR-FILE), ext=NAME (a sandbox extension the path carries),
target=self|same-sandbox|others (default others), local=1 for
mach-lookup of a local-name.

Every operation, filter, address kind, vnode type and target must be in
tests/sbpl/names (a typo makes sandbox-exec refuse the whole profile).

LIMITS, where a real Mac may answer otherwise (the macOS CI job compares
some answers with the real sandbox-exec, tests/macos/evaluator.bats):
- Paths are taken as given: the kernel checks the path it resolved (no
  symlinks, /tmp is /private/tmp, a case-insensitive volume's own spelling
  of a name). Give canonical paths.
- Operations are matched by name, with "*" as a prefix wildcard and
  `default` matching all; the kernel's own map of system calls to
  operations (rename is file-write-unlink of the source and file-write-create
  of the target; open(O_CREAT) is file-write-create) is the table's job.
- Regexes are Python's `re.search` (SBPL's are POSIX extended ones; sbx
  uses only the common part: ^ $ [] () | . * + \\).
- (local ...) matches only bind and inbound, (remote ...) only outbound;
  "localhost" is localhost, 127.0.0.1 and ::1; a bare path filter on a
  network operation matches a Unix socket's path.
- (with ...) modifiers are ignored; (import ...), (define ...), (if ...)
  and other Scheme are refused, not evaluated.
"""
import os
import re
import shlex
import sys

NAMES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "names")


class SbplError(Exception):
    pass


def load_names(path=NAMES):
    names, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("["):
                section = line.strip("[]")
                names[section] = set()
            else:
                names[section].add(line)
    return names


class Str(str):
    """A string literal (as opposed to a symbol)."""


class Regex(str):
    """A #"..." regex literal."""


def tokenize(text):
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == ";":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "()":
            yield c, line
            i += 1
        elif c == '"' or text.startswith('#"', i):
            regex = c == "#"
            i += 2 if regex else 1
            out = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    if regex:
                        out.append(nxt if nxt == '"' else "\\" + nxt)
                    else:
                        out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                    i += 2
                    continue
                if text[i] == "\n":
                    line += 1
                out.append(text[i])
                i += 1
            if i >= n:
                raise SbplError("line %d: unterminated string" % line)
            i += 1
            yield (Regex if regex else Str)("".join(out)), line
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '();"':
                j += 1
            yield text[i:j], line
            i = j


def parse(text):
    """The top-level forms, each a (list, line) pair."""
    stack, forms = [], []
    for tok, line in tokenize(text):
        if tok == "(":
            stack.append(([], line))
        elif tok == ")":
            if not stack:
                raise SbplError("line %d: unbalanced )" % line)
            lst, start = stack.pop()
            if stack:
                stack[-1][0].append(lst)
            else:
                forms.append((lst, start))
        elif not stack:
            raise SbplError("line %d: %r outside a form" % (line, tok))
        else:
            stack[-1][0].append(tok)
    if stack:
        raise SbplError("%d unclosed (" % len(stack))
    return forms


class Profile:
    def __init__(self, text, params, names=None):
        self.names = names or load_names()
        self.params = params
        self.rules = []  # (action, [ops], [filters], line)
        for form, line in parse(text):
            self._form(form, line)

    @classmethod
    def from_policy(cls, output, names=None):
        """From `sbx policy` output: profile text, then ;; -DNAME=value."""
        params, body = {}, []
        for line in output.splitlines(keepends=True):
            m = re.match(r";; -D([A-Za-z0-9_]+)=(.*)$", line.rstrip("\n"))
            if m:
                params[m.group(1)] = m.group(2)
            else:
                body.append(line)
        return cls("".join(body), params, names)

    @classmethod
    def from_argv(cls, data, names=None):
        """From sandbox-exec's argv: -p PROFILE -DNAME=value... -- TOOL."""
        args = data.decode().split("\0")
        if len(args) < 2 or args[0] != "-p":
            raise SbplError("argv: -p PROFILE expected")
        params = {}
        for a in args[2:]:
            if a == "--":
                break
            name, eq, value = a[2:].partition("=")
            if not a.startswith("-D") or not eq:
                raise SbplError("argv: %r is not -DNAME=value" % a)
            params[name] = value
        return cls(args[1], params, names)

    def _check(self, section, name, line):
        if name not in self.names[section]:
            raise SbplError("line %d: unknown %s %r" % (line, section, name))

    def _form(self, form, line):
        head = form[0] if form else None
        if head == "version":
            if form[1:] != ["1"]:
                raise SbplError("line %d: version must be 1" % line)
            return
        if head not in ("allow", "deny"):
            raise SbplError("line %d: %r is not evaluated here" % (line, head))
        ops, filters = [], []
        for x in form[1:]:
            if isinstance(x, list):
                if x and x[0] == "with":
                    continue
                filters.append(self._filter(x, line))
            elif isinstance(x, str) and not isinstance(x, Str):
                if filters:
                    raise SbplError("line %d: operation after a filter" % line)
                self._check("operation", x, line)
                ops.append(x)
            else:
                raise SbplError("line %d: a string where an operation "
                                "belongs" % line)
        if not ops:
            raise SbplError("line %d: no operation" % line)
        self.rules.append((head, ops, filters, line))

    def _value(self, x, line):
        """A string argument: a literal or (param "NAME")."""
        if isinstance(x, list):
            if len(x) != 2 or x[0] != "param" or not isinstance(x[1], Str):
                raise SbplError("line %d: bad argument %r" % (line, x))
            if x[1] not in self.params:
                raise SbplError("line %d: parameter %r has no -D" %
                                (line, str(x[1])))
            return self.params[x[1]]
        if not isinstance(x, Str):
            raise SbplError("line %d: %r is not a string" % (line, x))
        return str(x)

    def _filter(self, f, line):
        if not f or isinstance(f[0], Str) or isinstance(f[0], list):
            raise SbplError("line %d: bad filter %r" % (line, f))
        name = f[0]
        self._check("filter", name, line)
        if name in ("require-all", "require-any", "require-not"):
            subs = [self._filter(x, line) for x in f[1:]]
            if name == "require-not" and len(subs) != 1:
                raise SbplError("line %d: require-not takes one" % line)
            return (name, subs)
        if name in ("local", "remote"):
            if len(f) < 2:
                raise SbplError("line %d: (%s) without a kind" % (line, name))
            self._check("address", f[1], line)
            if f[1] == "unix-socket":
                sub = [self._filter(x, line) for x in f[2:]]
                return (name, "unix", sub)
            if len(f) != 3:
                raise SbplError("line %d: (%s %s ADDRESS)" % (line, name, f[1]))
            return (name, "ip", self._value(f[2], line))
        if name == "vnode-type":
            self._check("vnode-type", f[1], line)
            return (name, f[1])
        if name == "target":
            self._check("target", f[1], line)
            return (name, f[1])
        if name in ("socket-domain", "socket-type", "socket-protocol",
                    "mac-syscall-number", "fsctl-command"):
            return (name, f[1])
        if len(f) != 2:
            raise SbplError("line %d: (%s) takes one argument" % (line, name))
        if name.endswith("regex"):
            if not isinstance(f[1], Regex):
                raise SbplError("line %d: %s needs #\"...\"" % (line, name))
            try:
                return (name, re.compile(f[1]))
            except re.error as e:
                raise SbplError("line %d: bad regex: %s" % (line, e))
        return (name, self._value(f[1], line))

    # -- evaluation ---------------------------------------------------

    def decide(self, q):
        """(action, line) of the last rule matching query Q."""
        verdict = ("deny", 0)
        for action, ops, filters, line in self.rules:
            if not any(op_matches(o, q.op) for o in ops):
                continue
            if not filters or any(match(f, q) for f in filters):
                verdict = (action, line)
        return verdict


def op_matches(rule_op, op):
    if rule_op == "default" or rule_op == op:
        return True
    return rule_op.endswith("*") and op.startswith(rule_op[:-1])


class Query:
    def __init__(self, op, arg, **kw):
        self.op, self.arg = op, arg
        self.path = self.name = self.addr = None
        self.ext = set(kw["ext"].split(",")) if kw.get("ext") else set()
        self.target = kw.get("target", "others")
        self.local_name = kw.get("local") == "1"
        if op.startswith("file") or op == "process-exec":
            self.path = arg
            self.vnode = kw.get("type") or (
                "CHARACTER-DEVICE" if arg.startswith("/dev/") else
                "REGULAR-FILE")
        elif op.startswith("network"):
            kind, _, rest = arg.partition(":")
            if kind == "unix":
                self.addr = ("unix", rest)
                self.path = rest
            elif kind in ("tcp", "udp"):
                host, _, port = rest.rpartition(":")
                self.addr = ("ip", host, port)
            else:
                raise SbplError("network argument: unix:PATH or tcp:HOST:PORT")
            self.side = "remote" if op == "network-outbound" else "local"
        elif arg != "-":
            self.name = arg


LOCALHOST = {"localhost", "127.0.0.1", "::1"}


def ip_matches(spec, addr):
    host, _, port = spec.rpartition(":")
    qhost, qport = addr[1], addr[2]
    if host == "localhost":
        ok = qhost in LOCALHOST
    else:
        ok = host == "*" or host == qhost
    return ok and (port == "*" or port == qport)


def path_matches(name, value, path):
    if path is None:
        return False
    if name in ("literal", "path", "path-literal"):
        return path == value
    if name == "subpath":
        v = value.rstrip("/")
        return path == value or path.startswith(v + "/")
    if name == "prefix":
        return path.startswith(value)
    if name in ("regex", "path-regex"):
        return value.search(path) is not None
    if name == "path-ancestors":
        return value == path or value.startswith(path.rstrip("/") + "/")
    raise AssertionError(name)


def match(f, q):
    name = f[0]
    if name == "require-all":
        return all(match(x, q) for x in f[1])
    if name == "require-any":
        return any(match(x, q) for x in f[1])
    if name == "require-not":
        return not match(f[1][0], q)
    if name in ("local", "remote"):
        if q.addr is None or q.side != name:
            return False
        if f[1] == "unix":
            return q.addr[0] == "unix" and (
                not f[2] or any(match(x, q) for x in f[2]))
        return q.addr[0] == "ip" and ip_matches(f[2], q.addr)
    if name in ("literal", "path", "path-literal", "subpath", "prefix",
                "regex", "path-regex", "path-ancestors"):
        return path_matches(name, f[1], q.path)
    if name == "vnode-type":
        return q.path is not None and q.vnode == f[1]
    if name == "target":
        return q.target == f[1]
    if name == "extension":
        return f[1] in q.ext
    if name in ("global-name", "local-name", "xpc-service-name"):
        want_local = name == "local-name"
        return q.name == f[1] and q.local_name == want_local
    if name == "xpc-service-name-prefix":
        return q.name is not None and q.name.startswith(f[1])
    if name in ("sysctl-name", "ipc-posix-name", "iokit-user-client-class",
                "iokit-registry-entry-class", "mac-policy-name"):
        return q.name == f[1]
    if name in ("sysctl-name-prefix", "ipc-posix-name-prefix"):
        return q.name is not None and q.name.startswith(f[1])
    if name in ("sysctl-name-regex", "ipc-posix-name-regex",
                "global-name-regex"):
        return q.name is not None and f[1].search(q.name) is not None
    # socket-domain, mac-syscall-number...: no query carries them
    return False


def parse_query(words):
    kw = {}
    for w in words[2:]:
        k, eq, v = w.partition("=")
        if not eq:
            raise SbplError("%r: KEY=VALUE expected" % w)
        kw[k] = v
    return Query(words[0], words[1], **kw)


def run_table(profile, lines):
    bad = count = 0
    for n, raw in enumerate(lines, 1):
        text = shlex.split(raw, comments=True)
        if not text:
            continue
        want, words = text[0], text[1:]
        if want not in ("allow", "deny") or len(words) < 2:
            raise SbplError("table line %d: allow|deny OP ARG..." % n)
        got, line = profile.decide(parse_query(words))
        count += 1
        if got != want:
            bad += 1
            print("WRONG table line %d: %s: want %s, got %s (profile line "
                  "%s)" % (n, raw.strip(), want, got, line or "none"))
    print("%d of %d answers as the table says" % (count - bad, count))
    return bad == 0


def main(argv):
    if len(argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        if argv[1] == "--argv":
            argv = argv[1:]
            with open(argv[1], "rb") as f:
                profile = Profile.from_argv(f.read())
        else:
            with open(argv[1]) as f:
                profile = Profile.from_policy(f.read())
        if argv[2] == "-q":
            print(profile.decide(parse_query(argv[3:]))[0])
            return 0
        with (sys.stdin if argv[2] == "-" else open(argv[2])) as f:
            return 0 if run_table(profile, f.readlines()) else 1
    except SbplError as e:
        print("sbpl.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
