#!/usr/bin/env python3
# tests/e2e/atls_load.py HOST PORT N - a bounded load test for atls_cli.sh: N concurrent TLS
# connections (an ordinary client: no evidence check, the self-signed certificate accepted),
# all handshaken and held open before any sends a request (so N are open at once), then each
# sends one HTTP/1.0 GET and reads the answer to the end. Exit 0 when every connection got
# "200" and the page; prints one summary line. Loopback only; bounded by a deadline per wait
# (DEADLINE seconds, default 240: generous, for sanitizer builds on a loaded machine).
import asyncio
import os
import ssl
import sys
import time

DEADLINE = float(os.environ.get("DEADLINE", "240"))


async def one(host, port, ctx, up, gate, n, i):
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=ctx, ssl_handshake_timeout=DEADLINE), DEADLINE)
    up[0] += 1
    if up[0] == n:
        gate.set()
    await asyncio.wait_for(gate.wait(), DEADLINE)  # all N are open before any request
    writer.write(b"GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n")
    await writer.drain()
    data = await asyncio.wait_for(reader.read(-1), DEADLINE)
    writer.close()
    if b" 200 " not in data.split(b"\r\n", 1)[0] or b"hello from the backend" not in data:
        raise RuntimeError("connection %d: bad answer %r" % (i, data[:80]))


async def main(host, port, n):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    up, gate = [0], asyncio.Event()
    t0 = time.monotonic()
    results = await asyncio.gather(*[one(host, port, ctx, up, gate, n, i) for i in range(n)],
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    for e in errors[:5]:
        print("error:", repr(e))
    print("%d concurrent connections, %d open at once, %d errors, %.2f s"
          % (n, up[0], len(errors), time.monotonic() - t0))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
