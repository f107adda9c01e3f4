"""The public face of ``kg serve``: an HTTP front that caps how many rows or triples one answer holds.

Why a front: the Oxigraph server limits a query's time but not its size, so one ``SELECT * { ?s ?p ?o }``
sends the whole store. The server therefore listens on a private loopback port, and this front, on the
public one, passes each query on asking for a line-based format (SPARQL TSV for SELECT and ASK, N-Triples
for CONSTRUCT/DESCRIBE: one row or triple per line), reads at most ``max_results`` lines, closes the
connection (the server then stops evaluating) and writes the kept lines again with pyoxigraph in the format
the client's Accept header asks for, negotiated as the server does (python-mimeparse picks the media type).
A cut answer carries ``X-Kg-Truncated: true``; every answer carries ``X-Kg-Result-Limit``.

What the front passes on is a short list: queries on /query (GET, POST form or ``application/sparql-query``,
with their ``default-graph-uri``/``named-graph-uri``), the query page (/ and its files), the service
description (GET /query without a query) and CORS preflights. Updates get 403, other paths 404, so the
Graph Store Protocol's GET /store, which would dump the store past the limit, is not served.

Answers are built whole before the status line goes out (at most ``max_results`` lines, so memory is
bounded): a query that fails while streaming, e.g. on the time limit, gets an error status here, where
the server alone would have sent 200 and then a body ending in its error message.
"""
from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, TypeVar

import mimeparse
import pyoxigraph as ox

BACKEND_ACCEPT = "text/tab-separated-values, application/n-triples"  # the server negotiates one per query form
TSV_TYPE = "text/tab-separated-values"
NTRIPLES_TYPE = "application/n-triples"
TRUNCATED_HEADER = "X-Kg-Truncated"
LIMIT_HEADER = "X-Kg-Result-Limit"

# Media types a client may ask for, least wanted first: python-mimeparse breaks ties towards the end, so the
# last one is the answer to ``*/*`` and to no Accept header at all, as in the server (JSON; N-Quads).
RESULT_MEDIA_TYPES = ["text/plain", "text/tsv", "text/xml", "application/xml", "application/json", TSV_TYPE,
                      "text/csv", "application/sparql-results+xml", "application/sparql-results+json"]
GRAPH_MEDIA_TYPES = ["text/plain", "text/xml", "application/xml", "application/json", "application/x-turtle",
                     "application/turtle", "text/x-nquads", "text/n3", "application/trig",
                     "application/ld+json", "application/rdf+xml", NTRIPLES_TYPE, "text/turtle",
                     "application/n-quads"]
PAGES = {"/", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg"}  # the server's query page (YASGUI)
WRITE_PATHS = ("/update", "/store")
MAX_REQUEST_BODY = 1024 * 1024  # bytes: ample for a query, a bound for everything else
# A body past the bound is still read and thrown away up to this size (at most DRAIN_SECONDS), as web servers
# do before closing: a client still sending would otherwise get a broken pipe instead of the 413.
DRAINED_AT_MOST = 16 * MAX_REQUEST_BODY
DRAIN_SECONDS = 5.0
FORWARDED_REQUEST_HEADERS = ("Content-Type", "Host", "Origin", "Access-Control-Request-Method",
                             "Access-Control-Request-Headers")
GRACE = 5.0  # seconds past the time limit before the front gives up on a server that did not stop
TIME_LIMIT_MESSAGE = "the query ran past the time limit and was stopped"
F = TypeVar("F")  # a pyoxigraph format: QueryResultsFormat or RdfFormat


class RequestRefused(Exception):
    """A request the front answers itself with an error status and a one-line plain-text message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class FrontConfig:
    """What every request handler needs: where the server is and the limits to apply."""

    backend_port: int
    max_results: int  # rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer; at least 1
    timeout: int  # the server's per-query time limit in seconds; 0: none
    log: Callable[[str], None] | None
    backend_host: str = "127.0.0.1"


def plain_text(status: int, message: str) -> Answer:
    return Answer(status, (message + "\n").encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})


def negotiate(accept: str | None, media_types: list[str], parse: Callable[[str], F | None]) -> F | None:
    """The format the Accept header asks for among ``media_types`` (mapped by ``parse``): 400 or 406 if none."""
    if not accept or not accept.strip():
        return parse(media_types[-1])
    try:
        chosen = mimeparse.best_match(media_types, accept)
    except (mimeparse.MimeTypeParseException, ValueError) as e:
        raise RequestRefused(400, f"invalid Accept header: {e}") from None
    if not chosen:
        raise RequestRefused(406, f"the Accept header names no format this server writes, like {media_types[-1]}")
    return parse(chosen)


def read_lines(stream: http.client.HTTPResponse, keep: int, deadline: float | None) -> tuple[bytes, bool]:
    """The first ``keep`` lines of ``stream``, and whether more followed; TimeoutError past ``deadline``."""
    kept = bytearray()
    for _ in range(keep):
        line = stream.readline()
        if not line:
            return bytes(kept), False
        kept += line
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError("past the deadline")
    return bytes(kept), bool(stream.readline())


def reserialize(media_type: str, data: bytes, accept: str | None) -> tuple[bytes, str]:
    """``data`` (kept TSV results or N-Triples) written again as the client asks: (body, content type).

    SyntaxError if ``data`` does not parse: the server then ended its answer with an error message.
    """
    if media_type == TSV_TYPE:
        fmt = negotiate(accept, RESULT_MEDIA_TYPES, ox.QueryResultsFormat.from_media_type)
        results = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
        return results.serialize(format=fmt), fmt.media_type
    fmt = negotiate(accept, GRAPH_MEDIA_TYPES, ox.RdfFormat.from_media_type)
    return ox.serialize(ox.parse(data, ox.RdfFormat.N_TRIPLES), format=fmt), fmt.media_type


def stream_error(data: bytes) -> str:
    """The message the server wrote after the last complete row when evaluation failed mid-answer."""
    lines = data.rstrip(b"\n").rsplit(b"\n", 1)
    return lines[-1].decode("utf-8", "replace").strip() or "the answer ended early"


class FrontHandler(BaseHTTPRequestHandler):
    """One connection: routes each request to a query, a pass-through or a refusal."""

    server: Front
    protocol_version = "HTTP/1.1"  # keep-alive: every answer has a Content-Length
    server_version = "xunshi-kg"
    timeout = 60  # seconds a client may take to send a request: an idle connection does not hold a thread

    def version_string(self) -> str:
        return self.server_version  # the Server header, without the Python version

    # -- routing --------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route(lambda path, query: self._query() if path == "/query" and query
                    else self._pass_through() if path in PAGES or path == "/query"
                    else self._refuse_unknown(path))

    def do_HEAD(self) -> None:
        self._route(lambda path, query: self._pass_through() if path in PAGES else self._refuse_unknown(path))

    def do_POST(self) -> None:
        self._route(lambda path, query: self._query() if path == "/query" else self._refuse_unknown(path))

    def do_OPTIONS(self) -> None:  # CORS preflight: the server answers it (with --cors) or refuses it
        self._route(lambda path, query: self._pass_through())

    def do_PUT(self) -> None:
        self._route(lambda path, query: self._refuse_unknown(path))

    do_DELETE = do_PATCH = do_PUT

    def _route(self, handle: Callable[[str, str], Answer]) -> None:
        parts = urllib.parse.urlsplit(self.path)
        try:
            answer = handle(parts.path, parts.query)
        except RequestRefused as e:
            answer = plain_text(e.status, e.message)
            if e.status >= 500:
                self._log(f"{self.command} {parts.path}: {e.status} {e.message}")
        except Exception as e:  # a bug here: the client gets a 500, the log says what, the front goes on
            answer = plain_text(500, "internal error in the front")
            self._log(f"{self.command} {parts.path}: internal error: {e!r}")
        self._send(answer)

    def _refuse_unknown(self, path: str) -> Answer:
        self._body()  # read it, so that the connection can carry the next request
        if path == "/update" or (self.command not in ("GET", "HEAD") and path.startswith(WRITE_PATHS)):
            raise RequestRefused(403, "this SPARQL endpoint is read-only")
        if self.command in ("GET", "HEAD"):
            raise RequestRefused(404, f"{self.command} {path} is not served: send queries to /query")
        raise RequestRefused(405, f"{self.command} {path} is not allowed: send queries to /query")

    # -- queries --------------------------------------------------------------------------------------

    def _query(self) -> Answer:
        body = self._body()
        self._refuse_updates(body)
        config = self.server.config
        started = time.monotonic()
        wait = config.timeout + GRACE if config.timeout else None  # seconds; None: as long as it takes
        conn, response = self._forward(body, accept=BACKEND_ACCEPT, read_timeout=wait)
        try:
            media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
            if response.status >= 500:  # e.g. an ASK cancelled before it had an answer
                raise self._failure(response.read().decode("utf-8", "replace").strip(), started)
            if response.status != 200 or media_type not in (TSV_TYPE, NTRIPLES_TYPE):
                return self._relay(response)  # a syntax error (400), an unacceptable Accept (406), ...
            keep = config.max_results + (1 if media_type == TSV_TYPE else 0)  # TSV: the header line too
            try:
                data, truncated = read_lines(response, keep, started + wait if wait else None)
            except TimeoutError:  # the server did not stop at its own time limit
                raise RequestRefused(503, f"{TIME_LIMIT_MESSAGE} ({config.timeout} s)") from None
            except (OSError, http.client.HTTPException) as e:
                raise RequestRefused(502, f"the SPARQL server broke off its answer: {e}") from None
        finally:
            conn.close()  # before the limit: the server notices and stops evaluating
        try:
            out, out_type = reserialize(media_type, data, self.headers.get("Accept"))
        except SyntaxError:  # the server ended its answer with an error message instead of a row
            raise self._failure(stream_error(data), started) from None
        headers = {"Content-Type": out_type, LIMIT_HEADER: str(config.max_results), **self._cors(response)}
        if truncated:
            headers[TRUNCATED_HEADER] = "true"
            unit = "rows" if media_type == TSV_TYPE else "triples"
            self._log(f"an answer was cut at {config.max_results} {unit} (the result limit)")
        return Answer(200, out, headers)

    def _refuse_updates(self, body: bytes) -> None:
        """403 for an update sent to /query: the server would refuse it too, but less plainly (400, 415)."""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        if content_type == "application/x-www-form-urlencoded":
            params.update(urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
        if content_type == "application/sparql-update" or "update" in params:
            raise RequestRefused(403, "this SPARQL endpoint is read-only: updates are refused")

    def _failure(self, message: str, started: float) -> RequestRefused:
        """A query the server gave up on: 503 once its time is up (the time limit), 500 otherwise."""
        timeout = self.server.config.timeout
        if timeout and time.monotonic() - started >= timeout:
            return RequestRefused(503, f"{TIME_LIMIT_MESSAGE} ({timeout} s): {message}")
        return RequestRefused(500, f"the query failed: {message}")

    # -- talking to the server ------------------------------------------------------------------------

    def _forward(self, body: bytes, accept: str | None,
                 read_timeout: float | None = None) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Send this request on to the server, with ``accept`` as its Accept header; 502 if it is not there."""
        config = self.server.config
        parts = urllib.parse.urlsplit(self.path)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {name: self.headers[name] for name in FORWARDED_REQUEST_HEADERS if self.headers.get(name)}
        if accept:
            headers["Accept"] = accept
        conn = http.client.HTTPConnection(config.backend_host, config.backend_port, timeout=read_timeout)
        try:
            conn.request(self.command, target, body=body or None, headers=headers)
            return conn, conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            if isinstance(e, TimeoutError):  # the server did not stop at its own time limit
                raise RequestRefused(503, f"{TIME_LIMIT_MESSAGE} ({config.timeout} s)") from None
            raise RequestRefused(502, f"the SPARQL server did not answer: {e}") from None

    def _pass_through(self) -> Answer:
        conn, response = self._forward(self._body(), accept=self.headers.get("Accept"), read_timeout=60)
        try:
            return self._relay(response)
        finally:
            conn.close()

    def _relay(self, response: http.client.HTTPResponse) -> Answer:
        """The server's answer as it is: status, type, CORS headers and body (a page, an error message)."""
        headers = self._cors(response)
        if response.getheader("Content-Type"):
            headers["Content-Type"] = response.getheader("Content-Type", "")
        return Answer(response.status, response.read(), headers)

    @staticmethod
    def _cors(response: http.client.HTTPResponse) -> dict[str, str]:
        """The server's CORS headers (it sends them with --cors), letting scripts read ours too."""
        headers = {name: value for name, value in response.getheaders() if name.lower().startswith("access-control-")}
        if headers:
            headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, {LIMIT_HEADER}"
        return headers

    # -- plumbing -------------------------------------------------------------------------------------

    def _body(self) -> bytes:
        """The request body (at most MAX_REQUEST_BODY bytes; 411/413 otherwise), read once."""
        if hasattr(self, "_cached_body"):
            return self._cached_body
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            raise RequestRefused(411, "send the request body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BODY:
            self.close_connection = True
            self._discard_body(length)
            raise RequestRefused(413, f"the request body must be at most {MAX_REQUEST_BODY} bytes")
        self._cached_body = self.rfile.read(length) if length else b""
        return self._cached_body

    def _discard_body(self, length: int) -> None:
        """Read a refused body of ``length`` bytes and drop it, within DRAINED_AT_MOST bytes and DRAIN_SECONDS."""
        if not 0 < length <= DRAINED_AT_MOST:
            return
        deadline = time.monotonic() + DRAIN_SECONDS
        try:
            while length > 0 and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                chunk = self.rfile.read1(min(length, 64 * 1024))
                if not chunk:
                    return
                length -= len(chunk)
        except OSError:  # the client stopped sending or went away: the 413 is sent all the same
            return

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("X-Content-Type-Options", "nosniff")  # a browser shows results as what they are, not HTML
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _log(self, line: str) -> None:
        if self.server.config.log is not None:
            self.server.config.log(f"kg serve: {line}")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log (the server had none either); cut answers and failures are logged where they happen."""

    def log_error(self, format: str, *args: object) -> None:
        self._log(format % args)


class Front(ThreadingHTTPServer):
    """The front's HTTP server on the public address; ``serve_in_background()`` runs it in a thread."""

    daemon_threads = True  # a connection still open does not keep the process alive at exit
    allow_reuse_port = False  # never share the port with another server (SO_REUSEADDR alone is set)

    def __init__(self, host: str, port: int, config: FrontConfig) -> None:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        self.address_family, _, _, _, address = infos[0]
        self.config = config
        super().__init__(address[:2], FrontHandler)
        self._thread: threading.Thread | None = None

    def serve_in_background(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="kg-serve-front", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop accepting requests and close the listening socket (idempotent)."""
        if self.running:
            self.shutdown()
            self._thread = None
        self.server_close()


__all__ = ["Front", "FrontConfig", "negotiate", "reserialize", "read_lines", "TRUNCATED_HEADER", "LIMIT_HEADER"]
