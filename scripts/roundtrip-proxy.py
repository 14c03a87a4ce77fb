#!/usr/bin/env python3
"""A TCP proxy for PostgreSQL's plain (non-TLS) protocol that counts round trips.

Usage: roundtrip-proxy.py LISTEN_PORT TARGET_PORT COUNT_FILE

For every connection it appends one line to COUNT_FILE when the connection closes: the
number of requests the client made after the server's first ReadyForQuery, that is after
connecting and authenticating. A request is a simple Query ('Q') or an extended-protocol
Sync ('S'): after either the client waits for the server, so each is one round trip.
A Sync right after a Close ('C') is not counted: a client library that drops a prepared
statement sends that pair without waiting for the answer.
"""
import socket
import struct
import sys
import threading

listen_port, target_port, count_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()


class Counter:
    def __init__(self):
        self.ready = False
        self.requests = 0


def messages(buffer, startup):
    """Splits complete messages off the front of buffer; yields (type, body)."""
    while True:
        if startup[0]:
            if len(buffer) < 4:
                return
            length = struct.unpack("!I", buffer[:4])[0]
            if len(buffer) < length:
                return
            del buffer[:length]
            startup[0] = False
            yield None
            continue
        if len(buffer) < 5:
            return
        length = struct.unpack("!I", buffer[1:5])[0]
        if len(buffer) < 1 + length:
            return
        kind = chr(buffer[0])
        del buffer[: 1 + length]
        yield kind


def pump(source, sink, counter, from_client):
    buffer, startup, previous = bytearray(), [from_client], None
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            buffer.extend(data)
            for kind in messages(buffer, startup):
                waits = kind == "Q" or (kind == "S" and previous != "C")
                if from_client and counter.ready and waits:
                    counter.requests += 1
                previous = kind
                if not from_client and kind == "Z":
                    counter.ready = True
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    server = socket.create_connection(("127.0.0.1", target_port))
    counter = Counter()
    up = threading.Thread(target=pump, args=(client, server, counter, True))
    down = threading.Thread(target=pump, args=(server, client, counter, False))
    up.start(); down.start(); up.join(); down.join()
    client.close(); server.close()
    with lock, open(count_file, "a") as f:
        f.write(f"{counter.requests}\n")


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", listen_port))
listener.listen(16)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
