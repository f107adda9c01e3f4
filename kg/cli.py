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
        "  kg build seeds --out output\n"
        "  kg query 'SELECT ?name WHERE { ?u a xs:Unit ; rdfs:label ?name } LIMIT 10'\n"
        "  kg export --format turtle -o graph.ttl"
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


class ExportFormat(str, Enum):
    turtle = "turtle"
    nt = "nt"
    jsonld = "jsonld"
    nquads = "nquads"
    trig = "trig"


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

@app.command(short_help="Build the graph, store and HTML view from report files.")
def build(
    inputs: list[Path] = typer.Argument(..., help="Report files or folders of them (.txt, .html, .docx, .pdf).",
                                        exists=True, show_default=False, metavar="INPUT"),
    out: Path = typer.Option(Path("output"), "--out", "-o", help="Folder for the store, graph.ttl and graph.html."),
) -> None:
    """Extract everything from the reports and write the graph, store and HTML view.

    Writes OUT/store (the Oxigraph store that kg query reads), and the graph files beside it. Exits with
    code 1 if a file had to be skipped, naming each one and why on stderr.

    \b
    Example:
      kg build seeds --out output
    """
    from kg.build import build_corpus  # imported here: the pipeline is heavy and --help should be instant

    summary = build_corpus(list(inputs), out, progress=True)
    table = Table(title=f"kg build → {out}", show_header=True)
    table.add_column("", style="bold")
    table.add_column("count", justify="right")
    table.add_row("files", str(summary.files))
    table.add_row("reports", str(summary.reports))
    for cls, n in summary.per_class.items():
        table.add_row(Text(cls), str(n))
    table.add_row("triples", str(summary.triples))
    table.add_row("seconds", f"{summary.seconds:.1f}")
    for stage, secs in summary.stages.items():
        table.add_row(Text(f"  {stage}", style="dim"), Text(f"{secs:.1f}", style="dim"))
    _out().print(table)
    if summary.skipped:
        for file, reason in summary.skipped:
            typer.echo(f"skipped {file}: {' '.join(str(reason).split())}", err=True)
        raise typer.Exit(1)


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


@app.command(short_help="Run a SPARQL query on the store (table, csv or json).")
def query(
    sparql: Optional[str] = typer.Argument(None, help="The SPARQL query text (or use -f).", show_default=False,
                                           metavar="SPARQL"),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the query from a .rq file.",
                                        show_default=False),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    fmt: OutFormat = typer.Option(OutFormat.table, "--format", help="Output: table, csv or json (SPARQL 1.1 JSON)."),
    limit: int = typer.Option(1000, "--limit", help="Print at most this many rows (0: all)."),
) -> None:
    """Run a SPARQL query over all reports (their union; GRAPH ?g reaches each report's own graph).

    The prefixes xs: xsr: org: foaf: dcterms: skos: prov: rdfs: rdf: xsd: owl: are predeclared.

    \b
    Examples:
      kg query 'SELECT ?unit ?name WHERE { ?unit a xs:Unit ; rdfs:label ?name } LIMIT 20'
      kg query -f my-query.rq --format csv > result.csv
    """
    from kg import store as kgstore

    if (sparql is None) == (file is None):
        raise typer.BadParameter("give the query either as an argument or with -f FILE.rq (exactly one)")
    if file is not None:
        try:
            sparql = file.read_text(encoding="utf-8")
        except OSError as e:
            raise typer.BadParameter(f"cannot read {file}: {e.strerror or e}", param_hint="-f") from None
    try:
        result = kgstore.query(store, sparql or "")
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

@app.command(short_help="Export the graph as Turtle, N-Triples, JSON-LD, N-Quads or TriG.")
def export(
    fmt: ExportFormat = typer.Option(ExportFormat.turtle, "--format", help="turtle, nt or jsonld (all reports as one "
                                     "graph); nquads or trig (one named graph per report)."),
    store: Path = typer.Option(DEFAULT_STORE, "--store", help="The store folder written by kg build."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (default: stdout).",
                                          show_default=False),
) -> None:
    """Write the whole graph out in an RDF format for other tools.

    \b
    Examples:
      kg export --format turtle -o graph.ttl
      kg export --format trig > graph.trig
    """
    from kg import store as kgstore

    try:
        data = kgstore.export(store, fmt.value)
    except kgstore.StoreNotFound as e:
        _fail(str(e))
    if output is None:
        typer.echo(data, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
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


if __name__ == "__main__":  # python -m kg.cli
    app()
