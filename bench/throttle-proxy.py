#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that caps the bandwidth of each connection, as storage behind a cloud
registry does (one connection to S3 carries tens to a few hundred MB/s).

Usage: throttle-proxy.py LISTEN_PORT UPSTREAM_HOST:PORT MB_PER_S

Every accepted connection is forwarded to the upstream; what the upstream sends back is paced to
MB_PER_S (10^6 bytes per second) on that connection alone, with at most 50 ms of burst after an idle
time (a kept-alive connection does not save up credit). Requests go upstream unpaced. Runs until
killed.
"""
import socket
import sys
import threading
import time

CHUNK = 64 * 1024
BURST_SECONDS = 0.05


def pipe(src, dst, rate):
    """Copies src to dst until src ends; paced to rate bytes/s if rate > 0."""
    due = time.monotonic()
    try:
        while True:
            data = src.recv(CHUNK)
            if not data:
                break
            dst.sendall(data)
            if rate > 0:
                now = time.monotonic()
                due = max(due, now - BURST_SECONDS) + len(data) / rate
                if due > now:
                    time.sleep(due - now)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(client, upstream, rate):
    try:
        server = socket.create_connection(upstream)
    except OSError:
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    up = threading.Thread(target=pipe, args=(client, server, 0), daemon=True)
    up.start()
    pipe(server, client, rate)
    up.join()
    client.close()
    server.close()


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    port = int(sys.argv[1])
    host, upstream_port = sys.argv[2].rsplit(":", 1)
    rate = float(sys.argv[3]) * 1e6
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, (host, int(upstream_port)), rate), daemon=True).start()


if __name__ == "__main__":
    main()
