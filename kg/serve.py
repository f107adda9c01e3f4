"""A read-only SPARQL 1.1 Protocol endpoint over the store: the Oxigraph server, started and watched from Python.

Why the Oxigraph server and not a Python one: it speaks the whole protocol (GET and POST on /query, results as
JSON, XML, CSV or TSV by Accept header, Turtle for CONSTRUCT/DESCRIBE), enforces a query time limit, refuses
updates when read-only (HTTP 403) and streams results from the same RocksDB files that pyoxigraph wrote,
so nothing is copied. It ships as a binary in the ``oxigraph`` PyPI package; this module finds it, runs
``oxigraph serve-read-only --union-default-graph`` and waits until the port answers.

The server has no result limit, so by default it listens on a private loopback port and kg/front.py, on the
public address, cuts each answer at ``max_results`` rows or triples (0: no front, the server answers itself).

The union default graph is right for stores written by ``kg build``, where no triple sits in two graphs.
A store saved from an rdflib Dataset also holds the materialized merge ``UNION_GRAPH`` (see kg/store.py);
the server cannot leave it out of its union, so queries there see each triple more than once unless the
request names it as default graph (``default-graph-uri=https://w3id.org/xunshi-kg/graph/union``).
"""
from __future__ import annotations

import atexit
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path
from typing import Any, Callable

from kg.front import Front, FrontConfig
from kg.store import UNION_GRAPH, open_store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30  # seconds a query may run; Datasette-like: a limit by default
DEFAULT_MAX_RESULTS = 10_000  # rows or triples per answer; a limit by default too
BACKEND_HOST = "127.0.0.1"  # where the server listens behind the front: loopback only


class ServerError(RuntimeError):
    """The server could not start (binary missing, port in use, ...); the message is one line for the user."""


def oxigraph_binary() -> Path:
    """The ``oxigraph`` executable: beside the running interpreter's scripts first, then on PATH.

    Looking beside the interpreter finds the binary of the venv that runs ``kg`` even when that venv is
    not activated (``.venv/bin/kg serve``), and so one whose version matches pyoxigraph's storage format.
    """
    name = "oxigraph.exe" if sys.platform == "win32" else "oxigraph"
    candidates = [Path(sysconfig.get_path("scripts")) / name, Path(sys.executable).parent / name]
    for path in candidates:
        if path.is_file():
            return path
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise ServerError("the oxigraph server binary is not installed: `pip install 'oxigraph>=0.5,<0.6'` "
                      "(it comes with xunshi-kg's dependencies)")


def _url_host(host: str) -> str:
    """The host as it goes into a URL: wildcard binds are reached via loopback, IPv6 in brackets."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _check_port_free(host: str, port: int) -> None:
    """ServerError if something already listens on host:port.

    Checked before starting because the readiness probe cannot tell our server from another one answering
    on the same port. SO_REUSEADDR as the server sets it, so a port in TIME_WAIT counts as free.
    """
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise ServerError(f"cannot listen on {_bind(host, port)}: {e.strerror or e}") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as e:
            raise ServerError(f"cannot listen on {_bind(host, port)}: {e.strerror or e} "
                              "(is another server running? try --port)") from None


def _free_loopback_port() -> int:
    """A port nothing listens on now, for the server behind the front (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind((BACKEND_HOST, 0))
        return sock.getsockname()[1]


def _port_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=0.5):
            return True
    except OSError:
        return False


def log_to_stderr(line: str) -> None:
    """The default log: each line on this process's stderr (looked up per line, so redirects hold)."""
    print(line, file=sys.stderr, flush=True)


class ServerProcess:
    """A running ``oxigraph serve-read-only``, maybe behind the front: ``.url`` is the query endpoint.

    Use as a context manager; ``.stop()`` ends both. The child's stderr (request errors, e.g. a query cut
    off by the time limit) and the front's notes (an answer cut at the result limit) go on to ``log``
    (default: this process's stderr; None: dropped) once the server is up, as ``oxigraph: …`` and
    ``kg serve: …`` lines. ``host``/``port`` are the public address; ``backend_port`` is the child's.
    """

    def __init__(self, process: subprocess.Popen[bytes], host: str, port: int, store_dir: Path, timeout: int,
                 log: Callable[[str], None] | None, *, max_results: int = 0, front: Front | None = None,
                 backend_port: int | None = None) -> None:
        self.process = process
        self.host = host
        self.port = port
        self.store_dir = store_dir
        self.timeout = timeout
        self.max_results = max_results
        self.front = front
        self.backend_host = BACKEND_HOST if front is not None else _url_host(host)
        self.backend_port = backend_port if backend_port is not None else port
        self._log = log
        self._forward = False
        self._first_lines: list[str] = []  # the start-up output: an ``Error:`` line, maybe a long backtrace
        self._reader = threading.Thread(target=self._read_stderr, name="oxigraph-stderr", daemon=True)
        self._reader.start()

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def url(self) -> str:
        """The SPARQL query endpoint (GET ?query=… or POST)."""
        return f"{self.base_url}/query"

    @property
    def running(self) -> bool:
        return self.process.poll() is None and (self.front is None or self.front.running)

    def _read_stderr(self) -> None:
        """Drain the child's stderr so it never blocks on a full pipe; keep the start-up lines for errors."""
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if self._forward:
                # Behind the front, the server's only client is the front, which hangs up on purpose at the
                # result limit: the server's "error when writing response" is then expected, not news.
                if self._log is not None and not (self.front is not None and "when writing response" in line):
                    self._log(f"oxigraph: {line}")
            elif len(self._first_lines) < 500:
                self._first_lines.append(line)

    def _startup_error(self) -> str:
        """One line from what the child printed before it died: its ``Error: …`` line if there is one."""
        self._reader.join(timeout=2)
        lines = [l.strip() for l in self._first_lines if l.strip()]
        error = next((l for l in lines if l.startswith("Error:")), lines[0] if lines else "")
        error = error.removeprefix("Error:").strip()
        return error or f"exit code {self.process.returncode}"

    def wait_ready(self, within: float = 15.0) -> None:
        """Block until the child's port accepts connections, then open the front; ServerError if the child
        exits or time runs out."""
        deadline = time.monotonic() + within
        bind = _bind(self.backend_host, self.backend_port)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = self._startup_error()
                if "in use" in msg.lower():
                    msg = f"cannot listen on {bind}: {msg} (is another server running? try --port)"
                raise ServerError(f"the SPARQL server did not start: {msg}")
            if _port_answers(self.backend_host, self.backend_port):
                self._forward = True
                if self.front is not None:
                    self.front.serve_in_background()
                return
            time.sleep(0.05)
        self.stop()
        raise ServerError(f"the SPARQL server did not answer on {bind} within {within:.0f} s")

    def stop(self, grace: float = 5.0) -> int:
        """Terminate the server (SIGTERM, then SIGKILL after ``grace`` seconds); returns its exit code."""
        atexit.unregister(self.stop)
        if self.front is not None:
            self.front.stop()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=2)
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited {self.process.returncode}"
        return f"<ServerProcess {self.url} store={self.store_dir} max_results={self.max_results} {state}>"


def has_union_graph(store_dir: Path) -> bool:
    """True if the store holds the materialized merge (saved from an rdflib Dataset): see the module doc."""
    return open_store(store_dir).contains_named_graph(UNION_GRAPH)


def command(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: int = DEFAULT_TIMEOUT,
            cors: bool = False) -> list[str]:
    """The server's command line; ``timeout`` 0 means no time limit."""
    cmd = [str(oxigraph_binary()), "serve-read-only", "--location", str(store_dir), "--bind", _bind(host, port),
           "--union-default-graph"]
    if timeout > 0:
        cmd += ["--timeout-s", str(int(timeout))]
    if cors:
        cmd.append("--cors")
    return cmd


def _open_front(host: str, port: int, config: FrontConfig) -> Front:
    """The front listening on host:port (not yet serving); ServerError in one line if it cannot."""
    try:
        return Front(host, port, config)
    except socket.gaierror as e:
        raise ServerError(f"cannot listen on {_bind(host, port)}: {e.strerror or e}") from None
    except OSError as e:
        raise ServerError(f"cannot listen on {_bind(host, port)}: {e.strerror or e} "
                          "(is another server running? try --port)") from None


def start(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, timeout: int = DEFAULT_TIMEOUT,
          *, max_results: int = DEFAULT_MAX_RESULTS, cors: bool = False,
          log: Callable[[str], None] | None = log_to_stderr, ready_within: float = 15.0) -> ServerProcess:
    """Start a read-only SPARQL endpoint on ``store_dir`` and return once it answers on ``host:port``.

    Raises kg.store.StoreNotFound if there is no store, ServerError if the server cannot start (binary
    missing, port in use). ``timeout`` is the per-query limit in seconds, ``max_results`` the rows or
    triples one answer holds at most (0 for either: none).

        with kg.serve.start(Path("output/store"), port=7878) as server:
            requests.get(server.url, params={"query": "ASK {}"})
    """
    store_dir = Path(store_dir)
    if timeout < 0:
        raise ValueError("timeout must be 0 (no limit) or a number of seconds")
    if max_results < 0:
        raise ValueError("max_results must be 0 (no limit) or a number of rows")
    open_store(store_dir)  # StoreNotFound now, in the user's words, rather than the server's
    front = backend_port = None
    if max_results:
        backend_port = _free_loopback_port()
        cmd = command(store_dir, BACKEND_HOST, backend_port, timeout, cors)
        front = _open_front(host, port, FrontConfig(backend_port, max_results, timeout, log))
    else:
        cmd = command(store_dir, host, port, timeout, cors)
        _check_port_free(host, port)
    # A session of its own: a Ctrl-C in the terminal reaches only us, and we stop the server in order.
    try:
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, start_new_session=True)
    except BaseException:
        if front is not None:
            front.stop()
        raise
    server = ServerProcess(process, host, port, store_dir, timeout, log, max_results=max_results, front=front,
                           backend_port=backend_port)
    atexit.register(server.stop)  # never leave a server behind if the caller forgets
    try:
        server.wait_ready(ready_within)
    except BaseException:
        server.stop()
        raise
    return server


__all__ = ["ServerProcess", "ServerError", "start", "command", "oxigraph_binary", "has_union_graph",
           "DEFAULT_HOST", "DEFAULT_PORT", "DEFAULT_TIMEOUT", "DEFAULT_MAX_RESULTS"]
