"""The ``kg`` command: build a knowledge graph from reports, then query, export and count it.

Errors a user can fix (a missing store, a SPARQL typo) are one line on stderr and exit code 2, never a
traceback; ``kg build`` exits 1 when it had to skip a file.
"""
from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kg import __version__

DEFAULT_STORE = Path("output/store")

app = typer.Typer(
    name="kg",
    help=(
        "Build a knowledge graph from inspection-rectification reports (巡视/巡察整改情况通报), "
        "then query it with SPARQL.\n\n"
        "\b\nQuick start:\n"
        "  kg build seeds --out output          # then open output/index.html\n"
        "  kg query --list                      # the canned questions\n"
        "  kg query inspections-by-unit --param unit=省商务厅\n"
        "  kg query 'SELECT ?name WHERE { ?u a xs:Unit ; rdfs:label ?name } LIMIT 10'\n"
        "  kg viz --focus 省商务厅 --depth 2 --out unit.html\n"
        "  kg serve                             # SPARQL endpoint on http://127.0.0.1:7878/query\n"
        "  kg export --format turtle -o graph.ttl\n"
        "  kg push --endpoint http://127.0.0.1:7878/store   # into a SPARQL Graph Store server"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class ValidateEngine(str, Enum):
    turbo = "turbo"
    pyshacl = "pyshacl"


class ExportFormat(str, Enum):
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"
    nquads = "nquads"
    trig = "trig"
    graphml = "graphml"
    gexf = "gexf"
    csv = "csv"


def _out() -> Console:
    return Console(soft_wrap=False, highlight=False)


def _fail(message: str, code: int = 2, max_len: int = 300) -> NoReturn:
    """One line on stderr, then exit: the user needs the reason, not a traceback."""
    line = " ".join(message.split())
    if len(line) > max_len:  # the SPARQL parser may list every character it expected
        line = line[: max_len - 1] + "…"
    typer.echo(f"Error: {line}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg (xunshi-kg) {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Show the version and exit.")) -> None:
    """Build a knowledge graph from rectification reports, then query it with SPARQL."""


# -- build ------------------------------------------------------------------------------------------

@app.command(short_help="Build the graph, store and HTML pages from report files (.txt, .html, .docx, .pdf).")
def build(
    inputs: list[Path] = typer.Argument(..., help="Report files (.txt in any encoding, .html, .docx, .pdf) or "
                                        "folders of them.",
                                        exists=True, show_default=False, metavar="INPUT"),
    out: Path = typer.Option(Path("output"), "--out", "-o", help="Folder for the store, graph.ttl and graph.html."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Extract every file again and write the store anew, "
                                 "ignoring what the last build into OUT kept."),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) if any file would be skipped, before "
                                "anything is written: OUT is left as it was."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, show_default="one per core",
                                          help="Processes that extract reports, then map and write the graphs; "
                                          "1 runs everything in the build's own process."),
    engine: str = typer.Option("local", "--engine", help="Where extraction runs: local (--workers processes "
                               "on this machine) or dask (the Dask cluster at --scheduler)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                            help="The Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786."),
) -> None:
    """Extract everything from the reports and write the graph, store and HTML pages.

    Writes OUT/store (the Oxigraph store that kg query reads) and, beside it, index.html (the overview
    page: open it first), graph.html (the corpus as a graph), reports/ID.html (one per report),
    graph.ttl, text/ (the text of HTML, DOCX and PDF inputs, which offsets index) and manifest.json. Builds are incremental: only new or changed files are extracted again
    (OUT/cache keeps what each file gave), and only the named graphs that changed are rewritten in the
    store; the result is what a clean build gives.

    A file that cannot be built (empty, binary, unreadable, not a rectification report) is skipped and the build goes on with the rest; each one is named
    on stderr with its reason, and the exit code is 1. With --strict, any such file stops the build
    before anything is written. A failure or Ctrl-C during the build leaves OUT as it was.

    \b
    Examples:
      kg build seeds --out output
      kg build seeds --out output --rebuild
      kg build seeds --out output --strict
      kg build corpus/ --out output --workers 8
      kg build corpus/ --out output --engine dask --scheduler tcp://10.0.0.5:8786
    """
    import importlib

    kg_build = importlib.import_module("kg.build")  # imported here: the pipeline is heavy, --help is instant
    strict_failed = getattr(kg_build, "StrictBuildError", ())  # () catches nothing

    options = {"strict": True} if strict else {}  # passed only when asked
    from kg.engines import EngineError

    try:
        summary = kg_build.build_corpus(list(inputs), out, progress=True, rebuild=rebuild, workers=workers,
                                        engine=engine, scheduler=scheduler, **options)
    except EngineError as exc:
        _fail(str(exc))
    except strict_failed as exc:
        _print_skipped(exc.skipped)
        _fail(f"--strict: {len(exc.skipped)} file(s) could not be built; nothing was written to {out}", code=1)
    table = Table(title=f"kg build → {out}", show_header=True)
    table.add_column("", style="bold")
    table.add_column("count", justify="right")
    table.add_row("files", str(summary.files))
    table.add_row(Text("  extracted anew", style="dim"), Text(str(summary.extracted), style="dim"))
    table.add_row(Text("  unchanged (cached)", style="dim"), Text(str(summary.reused), style="dim"))
    if summary.extracted:
        table.add_row(Text("  extracted by", style="dim"), Text(summary.engine, style="dim"))
    table.add_row("reports", str(summary.reports))
    for cls, n in summary.per_class.items():
        table.add_row(Text(cls), str(n))
    table.add_row("triples", str(summary.triples))
    if summary.skipped:
        table.add_row(Text("skipped files", style="bold red"), Text(str(len(summary.skipped)), style="bold red"))
    graphs = f"{summary.graphs_written} written, {summary.graphs_dropped} dropped"
    table.add_row("store graphs", graphs if summary.incremental else f"{summary.graphs_written} (new store)")
    table.add_row("report pages", Text(f"{summary.report_pages} in {out / 'reports'}", style="dim"))
    if summary.violations is None:
        table.add_row("SHACL violations", Text(summary.validation or "not checked", style="dim"))
    else:
        table.add_row("SHACL violations", Text(str(summary.violations), style="bold red" if summary.violations else ""))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    for stage, secs in summary.stages.items():
        table.add_row(Text(f"  {stage}", style="dim"), Text(f"{secs:.1f}", style="dim"))
    _out().print(table)
    if summary.violations:
        typer.echo(f"the graph breaks {summary.violations} SHACL rule(s): run `kg validate --store {out / 'store'}` "
                   "for the list", err=True)
    if summary.skipped:
        _print_skipped(summary.skipped)
        raise typer.Exit(1)


def _print_skipped(skipped: list[tuple[str, str]]) -> None:
    """One line on stderr per file the build left out: ``skipped FILE: REASON``."""
    for file, reason in skipped:
        typer.echo(f"skipped {file}: {' '.join(str(reason).split())}", err=True)


# -- query ------------------------------------------------------------------------------------------

def _cell(binding: dict[str, Any] | None) -> Text:
    """A table cell: IRIs compacted with the project prefixes; Text so brackets in data stay literal."""
    from kg.store import term_text
    from kg.vocab import PREFIXES

    if binding is None:
        return Text("")
    value = term_text(binding) or ""
    if binding["type"] == "uri":
        for prefix, ns in PREFIXES.items():
            if value.startswith(str(ns)) and len(value) > len(str(ns)):
                return Text(f"{prefix}:{value[len(str(ns)):]}")
    return Text(value)


def _list_queries() -> None:
    """``kg query --list``: every canned question, its titles and parameters."""
    from kg import queries

    table = Table("name", "title", "parameters", title="kg query NAME [--param KEY=VALUE …]")
    for q in queries.list_queries():
        params = "\n".join(p.describe() for p in q.params) or "—"
        if q.one_of:
            params += f"\n(at least one of {', '.join(q.one_of)})"
        table.add_row(Text(q.name), Text(f"{q.title_zh}\n{q.title_en}"), Text(params))
    _out().print(table)


@app.command(short_help="Run a canned question or a SPARQL query on the store (table, csv or json).")
def query(
    sparql: Optional[str] = typer.Argument(None, help="A canned question's name (see --list) or SPARQL text "
                                           "(or use -f).", show_default=False, metavar="NAME|SPARQL"),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the query from a .rq file.",
                                        show_default=False),
    param: Optional[list[str]] = typer.Option(None, "--param", "-p", help="KEY=VALUE for a parameter the query "
                                              "declares (repeatable).", show_default=False),
    list_: bool = typer.Option(False, "--list", help="List the canned questions and their parameters, then exit."),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    fmt: OutFormat = typer.Option(OutFormat.table, "--format", help="Output: table, csv or json (SPARQL 1.1 JSON)."),
    limit: int = typer.Option(1000, "--limit", help="Print at most this many rows (0: all)."),
) -> None:
    """Run a canned question by name, or any SPARQL query, over all reports (their union; GRAPH ?g reaches
    each report's own graph).

    An argument that is a bare name of lowercase words joined by hyphens (open-problems) runs the canned
    question of that name; anything else is SPARQL text. Values given with --param are bound as RDF terms,
    never pasted into the query. Questions ship in kg/queries/; add your own NAME.rq files in a folder named
    by KG_QUERIES. The prefixes xs: xsr: org: foaf: dcterms: skos: prov: rdfs: rdf: xsd: owl: are predeclared.

    \b
    Examples:
      kg query --list
      kg query open-problems --param as_of=2020-12-31
      kg query unit-profile --param unit=省商务厅
      kg query provenance -p label=宋彦麟 --format csv
      kg query 'SELECT ?unit ?name WHERE { ?unit a xs:Unit ; rdfs:label ?name } LIMIT 20'
      kg query -f my-query.rq --format csv > result.csv
    """
    from kg import queries
    from kg import store as kgstore

    if list_:
        try:
            _list_queries()
        except queries.QueryError as e:
            _fail(str(e))
        return
    if (sparql is None) == (file is None):
        raise typer.BadParameter("give a canned question's name, SPARQL text, or -f FILE.rq (exactly one)")
    values: dict[str, str] = {}
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            _fail(f"--param {item!r}: expected KEY=VALUE")
        values[key.strip()] = value
    try:
        canned: queries.CannedQuery | None = None
        if file is not None:
            try:
                canned = queries.load(file)  # a .rq file may declare parameters in its header, as canned ones do
            except OSError as e:
                raise typer.BadParameter(f"cannot read {file}: {e.strerror or e}", param_hint="-f") from None
        elif queries.is_name(sparql or ""):
            canned = queries.get((sparql or "").strip())
        elif values:
            _fail("--param needs a canned question or a .rq file that declares its parameters")
        if canned is not None:
            result = queries.run(store, canned, values)
        else:
            result = kgstore.query(store, sparql or "")
    except queries.QueryError as e:
        _fail(str(e))
    except kgstore.StoreNotFound as e:
        _fail(str(e))
    except kgstore.SparqlSyntaxError as e:
        _fail(f"SPARQL syntax error: {e}")

    if result.kind == "graph":
        if fmt is not OutFormat.table:
            typer.echo("note: CONSTRUCT/DESCRIBE results are printed as Turtle", err=True)
        typer.echo(result.graph_ttl, nl=False)
        return
    if result.kind == "ask":
        if fmt is OutFormat.json:
            typer.echo(json.dumps(result.json))
        else:
            typer.echo("true" if result.boolean else "false")
        return

    data = result.json or {"head": {"vars": result.variables}, "results": {"bindings": []}}
    bindings, rows = data["results"]["bindings"], result.rows
    if limit > 0 and len(rows) > limit:
        typer.echo(f"note: showing {limit} of {len(rows)} rows (use --limit 0 for all)", err=True)
        bindings, rows = bindings[:limit], rows[:limit]
    if fmt is OutFormat.json:
        typer.echo(json.dumps({"head": data["head"], "results": {"bindings": bindings}}, ensure_ascii=False, indent=2))
    elif fmt is OutFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")  # SPARQL 1.1 CSV results use CRLF
        writer.writerow(result.variables)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    else:
        table = Table(show_lines=False)
        for v in result.variables:
            table.add_column(v, overflow="fold")  # wrap long IRIs and sentences rather than cut them
        for b in bindings:
            table.add_row(*(_cell(b.get(v)) for v in result.variables))
        _out().print(table)
        typer.echo(f"{len(rows)} row(s)", err=True)


# -- export -----------------------------------------------------------------------------------------

@app.command(short_help="Export as RDF (Turtle, TriG, …), GraphML, GEXF or CSV tables.")
def export(
    fmt: ExportFormat = typer.Option(ExportFormat.turtle, "--format", help="turtle, nt or jsonld (all reports as one "
                                     "graph); nquads or trig (one named graph per report); graphml or gexf (a "
                                     "property graph for Gephi, networkx, yEd); csv (one table per class, needs "
                                     "-o DIR)."),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (default: stdout); "
                                          "for csv, the folder to write the tables into.", show_default=False),
    with_mentions: bool = typer.Option(False, "--with-mentions", help="graphml, gexf, csv: also export the "
                                       "xs:Mention nodes (one per occurrence in the text) and the links to them."),
) -> None:
    """Write the whole graph out for other tools: RDF, a property graph, or CSV tables.

    graphml/gexf: a node per thing (id = its IRI; attributes label, class, and its dates, status and other
    values keyed by property, e.g. xs:startDate), an edge per link between things (attribute predicate,
    e.g. xs:inspectedUnit). csv: CLASS.csv per class (Unit.csv, Problem.csv, …) with columns iri, label,
    then one per property; several values are joined with " | ". Files are written whole or not at all.

    \b
    Examples:
      kg export --format turtle -o graph.ttl
      kg export --format trig > graph.trig
      kg export --format gexf -o graph.gexf          # open in Gephi
      kg export --format csv -o tables/              # tables/Unit.csv, tables/Problem.csv, …
    """
    from kg import store as kgstore

    if fmt is ExportFormat.csv and output is None:
        raise typer.BadParameter("csv writes one file per class: give the folder with -o DIR", param_hint="-o")
    if with_mentions and fmt.value in kgstore.EXPORT_FORMATS:
        typer.echo("note: RDF exports always hold the mentions; --with-mentions is for graphml, gexf and csv",
                   err=True)
    try:
        if fmt.value in kgstore.EXPORT_FORMATS:
            data = kgstore.export(store, fmt.value)
        elif fmt is ExportFormat.csv:
            from kg.export import write_csv_tables

            assert output is not None
            counts = write_csv_tables(store, output, with_mentions=with_mentions)
            typer.echo(f"wrote {len(counts)} tables ({sum(counts.values()):,} rows) to {output}: "
                       f"{', '.join(counts)}", err=True)
            return
        else:
            from kg.export import graph_bytes, to_networkx

            graph = to_networkx(store, with_mentions=with_mentions)
            data = graph_bytes(graph, fmt.value)
        if output is not None:
            from kg.files import write_atomic

            write_atomic(output, data)
    except kgstore.StoreNotFound as e:
        _fail(str(e))
    except FileExistsError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror or e}")
    if output is None:
        typer.echo(data, nl=False)
    else:
        typer.echo(f"wrote {len(data):,} bytes of {fmt.value} to {output}", err=True)


# -- stats ------------------------------------------------------------------------------------------

@app.command(short_help="Count quads, reports and things per class in the store.")
def stats(store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build.")) -> None:
    """Count what is in the store: quads, triples, reports and things per class.

    \b
    Example:
      kg stats --store output/store
    """
    from kg import ontology
    from kg import store as kgstore
    from kg.vocab import XS

    try:
        st = kgstore.stats(store)
    except kgstore.StoreNotFound as e:
        _fail(str(e))
    table = Table("", "count", title=f"kg stats {store}")
    table.columns[1].justify = "right"
    table.add_row("quads", f"{st['quads']:,}")
    table.add_row("distinct triples", f"{st['triples']:,}")
    table.add_row("report graphs", f"{st['report_graphs']:,}")
    table.add_row("named graphs (reports + ontology)", f"{st['named_graphs']:,}")
    for cls, n in st["classes"].items():
        table.add_row(Text(f"xs:{cls} {ontology.label(XS[cls], 'zh') or ''}"), f"{n:,}")
    _out().print(table)


# -- validate ---------------------------------------------------------------------------------------

class ValidateFormat(str, Enum):
    table = "table"
    json = "json"


@app.command(name="validate", short_help="Check the graph against the SHACL shapes (exit 1 on violations).")
def validate_cmd(
    data: Optional[Path] = typer.Argument(None, help="An RDF file (Turtle, N-Triples, TriG …) to check instead of "
                                          "the store.", show_default=False, metavar="FILE.ttl"),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    shapes: Optional[Path] = typer.Option(None, "--shapes", help="A SHACL shapes file (default: the project's "
                                          "ontology/shapes.ttl).", show_default=False),
    fmt: ValidateFormat = typer.Option(ValidateFormat.table, "--format", help="Output: table or json."),
    limit: int = typer.Option(50, "--limit", help="Print at most this many violations (0: all)."),
    engine: Optional[ValidateEngine] = typer.Option(None, "--engine", help="turbo (pyshacl-turbo, the default: "
                                                    "fast) or pyshacl (the reference implementation: slow).",
                                                    show_default=False),
) -> None:
    """Check that the graph is well-formed: validate it against SHACL shapes (ontology/shapes.ttl).

    The shapes say what every graph kg build writes holds: each mention has one start < end, a surface of
    end − start characters and one report; each inspection one team and one inspected unit; dates typed
    xsd:date, xsd:gYearMonth or xsd:gYear; each thing one Chinese rdfs:label and at least one mention …
    Exits 0 when the graph conforms, 1 when it has violations, 2 when the store or a file cannot be read.

    \b
    Examples:
      kg validate                            # the store in output/store
      kg validate output/graph.ttl
      kg validate --store output/store --format json --limit 0 > violations.json
      kg validate my-graph.ttl --shapes my-shapes.ttl
      kg validate --engine pyshacl           # the reference engine; minutes on a big corpus

    kg build checks every shape but the per-mention ones as it writes; this checks them all.
    """
    from kg import store as kgstore
    from kg import validate as kgvalidate

    source = data if data is not None else store
    if data is None and not store.exists():
        _fail(str(kgstore.StoreNotFound(store)))
    try:
        result = kgvalidate.validate(source, shapes, engine=engine.value if engine else None)
    except (kgstore.StoreNotFound, kgvalidate.ValidationInputError) as e:
        _fail(str(e))
    shown = result.violations if limit <= 0 else result.violations[:limit]
    if fmt is ValidateFormat.json:
        out = result.as_dict()
        out["violations"] = out["violations"][: len(shown)]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        if shown:
            table = Table("focus", "path", "message", show_lines=True)
            for v in shown:
                focus = Text(v.label or "")
                focus.append(("\n" if v.label else "") + kgvalidate.compact(v.focus), style="dim")
                message = Text(v.message)
                if v.message_zh:
                    message.append("\n" + v.message_zh)
                if v.value is not None:
                    message.append(f"\nvalue: {v.value}", style="dim")
                table.add_row(focus, Text(v.path or "—"), message)
            _out().print(table)
        where = f"{result.triples:,} triples from {source}, {result.engine}, {result.seconds:.1f} s"
        if result.conforms and not result.count:
            typer.echo(f"conforms: no violations ({where})")
        else:
            more = f"; showing {len(shown)} (use --limit 0 for all)" if len(shown) < result.count else ""
            typer.echo(f"{result.count} violation(s) ({where}){more}")
    if not result.conforms:
        raise typer.Exit(1)


# -- serve ------------------------------------------------------------------------------------------

@app.command(short_help="Serve the store as a read-only SPARQL endpoint over HTTP.")
def serve(
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    host: str = typer.Option("127.0.0.1", "--host", help="The address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(7878, "--port", min=1, max=65535, help="The port to listen on."),
    timeout: int = typer.Option(30, "--timeout", min=0, metavar="SECONDS",
                                help="Cut off a query after this many seconds (0: no limit)."),
    max_results: int = typer.Option(10_000, "--max-results", min=0, metavar="N",
                                    help="Cut each answer at N rows (SELECT) or triples (CONSTRUCT, DESCRIBE); "
                                         "a cut answer has the header X-Kg-Truncated: true (0: no limit)."),
    cors: bool = typer.Option(False, "--cors", help="Allow cross-origin requests, so web pages elsewhere can query."),
) -> None:
    """Serve the store as a SPARQL 1.1 endpoint: GET or POST queries at /query, a query page at /.

    The default graph is the union of all reports (as in kg query; GRAPH ?g reaches each report). Results
    come as JSON, XML, CSV or TSV by the Accept header, CONSTRUCT/DESCRIBE as Turtle (Accept: text/turtle).
    Read-only: updates get HTTP 403. Unlike kg query, no prefixes are predeclared: write PREFIX lines.
    Bounded: a query stops after --timeout seconds, an answer after --max-results rows or triples.
    Runs Oxigraph's server (the oxigraph package) behind a small result-limiting front until Ctrl-C.

    \b
    Examples:
      kg serve --store output/store
      kg serve --port 8000 --timeout 10 --max-results 1000 --cors
      curl http://127.0.0.1:7878/query -H 'Accept: text/csv' --data-urlencode 'query=ASK { ?s ?p ?o }'
    """
    import signal

    from kg import serve as kgserve
    from kg import store as kgstore

    try:
        union_graph = kgserve.has_union_graph(store)
        server = kgserve.start(store, host, port, timeout, max_results=max_results, cors=cors)
    except kgstore.StoreNotFound as e:
        _fail(str(e))
    except kgserve.ServerError as e:
        _fail(str(e))
    limit = f"queries stop after {timeout} s" if timeout else "no query time limit"
    limit += f", answers cut at {max_results:,} rows" if max_results else ", no result limit"
    example = ("PREFIX xs: <https://w3id.org/xunshi-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
               "SELECT ?unit ?name WHERE { ?unit a xs:Unit ; rdfs:label ?name } LIMIT 5")
    typer.echo(f"SPARQL endpoint: {server.url}  (read-only, store {store}, {limit})")
    typer.echo(f"Query page:      {server.base_url}/")
    typer.echo(f"Try:\n  curl {server.url} -H 'Accept: text/csv' --data-urlencode 'query={example}'")
    if union_graph:
        typer.echo(f"note: this store holds a merged copy of its graphs; add default-graph-uri={kgstore.UNION_GRAPH.value} "
                   "to a request so that each triple is seen once", err=True)
    typer.echo("Press Ctrl-C to stop.", err=True)

    def _stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):  # a service manager's stop is a Ctrl-C too
        signal.signal(sig, _stop)
    try:
        code = server.process.wait()
    except KeyboardInterrupt:
        server.stop()
        typer.echo("stopped", err=True)
        return
    _fail(f"the SPARQL server stopped unexpectedly (exit code {code})", code=1)


# -- push -------------------------------------------------------------------------------------------

@app.command(short_help="Load the graph into a SPARQL Graph Store Protocol server (Oxigraph, Fuseki, GraphDB …).")
def push(
    endpoint: str = typer.Option(..., "--endpoint", "-e", metavar="URL", show_default=False,
                                 help="The server's Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store."),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    user: Optional[str] = typer.Option(None, "--user", "-u", envvar="KG_PUSH_USER", show_default=False,
                                       help="HTTP basic auth user (or KG_PUSH_USER); the password is read from "
                                       "the environment variable KG_PUSH_PASSWORD."),
    drop_missing: bool = typer.Option(False, "--drop-missing", help="Afterwards, delete the server's graphs "
                                      "named under https://w3id.org/xunshi-kg/ that the store no longer has "
                                      "(needs --query-endpoint to list them); other graphs are never touched."),
    query_endpoint: Optional[str] = typer.Option(None, "--query-endpoint", metavar="URL", show_default=False,
                                                 help="The same server's SPARQL query endpoint, for --drop-missing."),
    timeout: float = typer.Option(60.0, "--timeout", min=1, metavar="SECONDS",
                                  help="Give up when the server is silent this long at any step of a request."),
) -> None:
    """Load the store into any SPARQL 1.1 Graph Store Protocol server: each named graph (one per report,
    the shared entities, the ontology) is sent with HTTP PUT URL?graph=IRI as N-Triples, which replaces
    that graph on the server. So pushing again after a rebuild leaves no stale triples, and the server's
    other graphs stay as they are. Graphs go one at a time; exit code 2, with the graph named, if one fails.

    \b
    Examples:
      oxigraph serve --location server-db --bind 127.0.0.1:7878 &
      kg push --endpoint http://127.0.0.1:7878/store
      kg push --endpoint http://localhost:3030/kg/data                           # Fuseki, dataset kg
      KG_PUSH_PASSWORD=secret kg push -e http://localhost:7200/repositories/kg/rdf-graphs/service -u admin
      kg push -e http://127.0.0.1:7878/store --drop-missing --query-endpoint http://127.0.0.1:7878/query
    """
    import os

    from kg import push as kgpush
    from kg import store as kgstore

    if drop_missing and query_endpoint is None:
        raise typer.BadParameter("--drop-missing lists the server's graphs with a SPARQL query: give "
                                 "--query-endpoint URL", param_hint="--query-endpoint")
    if query_endpoint is not None and not drop_missing:
        typer.echo("note: --query-endpoint is only used with --drop-missing", err=True)
    password = os.environ.get("KG_PUSH_PASSWORD") if user is not None else None
    if user is not None and password is None:
        _fail("--user needs the password in the environment variable KG_PUSH_PASSWORD")
    try:
        target = kgpush.Endpoint(endpoint, user, password, timeout)
        lister = kgpush.Endpoint(query_endpoint, user, password, timeout) if drop_missing and query_endpoint else None
        summary = kgpush.push(store, target, query_endpoint=lister, progress=True)
    except kgstore.StoreNotFound as e:
        _fail(str(e))
    except kgpush.PushError as e:
        _fail(str(e))
    if summary.dropped:
        typer.echo(f"dropped {len(summary.dropped)} graph(s) the store no longer has: "
                   f"{', '.join(summary.dropped[:5])}{' …' if len(summary.dropped) > 5 else ''}")
    typer.echo(f"pushed {summary.graphs} graphs ({summary.triples:,} triples, {summary.bytes / 1e6:.1f} MB) "
               f"to {target} in {summary.seconds:.1f} s")


# -- viz --------------------------------------------------------------------------------------------

@app.command(short_help="Draw the graph as one self-contained HTML page (overview, a report, a neighbourhood, a CONSTRUCT).")
def viz(
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    out: Path = typer.Option(Path("graph-view.html"), "--out", "-o", help="The HTML file to write."),
    report: Optional[str] = typer.Option(None, "--report", metavar="ID",
                                         help="One report: its id (000_27b93d8875c74f18-1) or full IRI."),
    focus: Optional[str] = typer.Option(None, "--focus", metavar="NAME",
                                        help="The neighbourhood of a thing: a name (label or alias) or an IRI."),
    depth: int = typer.Option(2, "--depth", min=1, max=6, help="With --focus: how many links away to go."),
    query_file: Optional[Path] = typer.Option(None, "--query", "-q", metavar="FILE.rq",
                                              help="Draw what a SPARQL CONSTRUCT (or DESCRIBE) in FILE gives."),
    max_nodes: int = typer.Option(500, "--max-nodes", min=1,
                                  help="Keep at most this many nodes (the most connected); the page says what was left out."),
) -> None:
    """Write an interactive graph view: one UTF-8 HTML file, every script inlined, no network access.

    Without options: the overview (reports, inspections, teams, inspected units, with counts). Nodes are
    coloured and shaped by class (legend, class filters); search by name; click a node for its names and
    the sentences that mention it.

    \b
    Examples:
      kg viz --out overview.html
      kg viz --report 000_27b93d8875c74f18-1 --out report.html
      kg viz --focus 省商务厅 --depth 2 --out unit.html
      kg viz --query teams.rq --out teams.html
      (teams.rq: CONSTRUCT { ?i xs:team ?t ; xs:inspectedUnit ?u } WHERE { ?i xs:team ?t ; xs:inspectedUnit ?u })
    """
    from kg import render
    from kg import store as kgstore
    from kg import viz as kgviz

    if sum(x is not None for x in (report, focus, query_file)) > 1:
        _fail("give at most one of --report, --focus, --query")
    try:
        db = kgstore.open_store(store)
        if report is not None:
            view = kgviz.report_view(db, report, max_nodes=max_nodes)
        elif focus is not None:
            view = kgviz.focus_view(db, focus, depth=depth, max_nodes=max_nodes)
        elif query_file is not None:
            try:
                sparql = query_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                _fail(f"cannot read {query_file}: {e}")
            view = kgviz.construct_view(db, sparql, max_nodes=max_nodes, title=f"CONSTRUCT · {query_file.name}")
        else:
            view = kgviz.overview(db, max_nodes=max_nodes)
        render.write_view(view, out)
    except kgstore.StoreNotFound as e:
        _fail(str(e))
    except kgviz.ViewError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {out}: {e}")
    if view.note:
        typer.echo(f"note: {view.note}", err=True)
    left = f"; {view.n_omitted} of {view.total} left out (--max-nodes {max_nodes})" if view.n_omitted else ""
    typer.echo(f"wrote {out}: {len(view.nodes)} nodes, {len(view.edges)} edges{left}")


if __name__ == "__main__":  # python -m kg.cli
    app()
