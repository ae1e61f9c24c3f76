"""Faults on a real network path: a TCP proxy in front of a real server that can be made to
refuse connections or to swallow them silently, as a dead or partitioned database would."""

from __future__ import annotations

import contextlib
import enum
import socket
import threading


class Mode(enum.Enum):
    FORWARD = "forward"
    REFUSE = "refuse"  # The port is closed: connections are refused at once.
    BLACKHOLE = "blackhole"  # Connections are accepted and never answered.


class FaultyProxy:
    """Forwards 127.0.0.1:<port> to a target until told to fail; stop() frees everything."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = Mode.FORWARD
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()

    def _listen(self, port: int) -> socket.socket:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return listener

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._track(client)
            if self.mode is Mode.BLACKHOLE:
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            self._track(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _drop_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def set_mode(self, mode: Mode) -> None:
        """Switch behaviour; open connections are cut, as by a crash or a partition."""
        self._drop_connections()
        if mode is Mode.REFUSE and self.mode is not Mode.REFUSE:
            self._close_listener()
        elif mode is not Mode.REFUSE and self.mode is Mode.REFUSE:
            self._listener = self._listen(self.port)
        self.mode = mode

    def _close_listener(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()

    def stop(self) -> None:
        """Close the listener and every connection."""
        self._close_listener()
        self._drop_connections()
