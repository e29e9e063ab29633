#!/usr/bin/env python3
"""flood_fds.py PORT COUNT SECONDS STATUS [SOURCES] — issue 11, item 4:
half-open connections. From 127.0.0.2 (or SOURCES addresses from
127.0.0.2 on, in turn), keep COUNT TCP connections open to the
broker on 127.0.0.1:PORT for SECONDS: half send nothing, half the first
10 bytes of a ZMTP greeting (0xFF, 8 x 0x00, 0x7F) and then nothing. A
connection the broker closes is replaced (an attacker reopens). Writes
"opened=N closed_by_broker=M" to STATUS once COUNT are open (or after 5 s)
and again at the end. Bounded: at most 10 x COUNT connects in all, paced."""
import os, resource, select, socket, sys, time

port, count, seconds, status = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
sources = int(sys.argv[5]) if len(sys.argv) > 5 else 1
assert 1 <= sources <= 250
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = count + 64
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
HALF = b"\xff" + b"\x00" * 8 + b"\x7f"
socks, opened, closed, attempts = {}, 0, 0, 0
start = time.time()
reported = False

def report():
    tmp = status + ".tmp"
    with open(tmp, "w") as f:
        f.write("opened=%d open=%d closed_by_broker=%d\n" % (opened, len(socks), closed))
    os.replace(tmp, status)

while time.time() - start < seconds:
    # Top up, a bounded number of connects per round.
    # All COUNT at once, then replacements paced over the whole flood.
    paced = count + int(9 * count * (time.time() - start) / seconds)
    for _ in range(min(64, count - len(socks), paced - attempts)):
        attempts += 1
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.bind(("127.0.0.%d" % (2 + attempts % sources), 0))
            s.connect(("127.0.0.1", port))
            if opened % 2:
                s.sendall(HALF)
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        socks[s.fileno()] = s
        opened += 1
    if not reported and (len(socks) >= count or time.time() - start > 5):
        report()
        reported = True
    # Whatever the broker closed: readable with nothing to read.
    # (poll, not select: these descriptors go past FD_SETSIZE.)
    pl = select.poll()
    for fd in socks:
        pl.register(fd, select.POLLIN)
    for fd, _ in pl.poll(50):
        s = socks[fd]
        try:
            gone = s.recv(4096) == b""
        except OSError:
            gone = True
        if gone:
            del socks[s.fileno()]
            s.close()
            closed += 1
    if len(socks) >= count:
        time.sleep(0.05)
report()
