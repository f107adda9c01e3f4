"""Check a graph against the SHACL shapes in ``ontology/shapes.ttl``: is it well-formed?

The shapes say what every graph ``kg build`` writes must hold (one start and end per mention, one team per
inspection, typed dates …). This module runs a SHACL engine on a graph and returns the violations in plain
Python types, for ``kg validate`` and for the build's own check.

Engines: pySHACL (the reference implementation, a declared dependency) and pyshacl-turbo (a Rust engine
with pySHACL's API), used when it is installed. On the seed graph (70k triples) pySHACL takes about 10 s
and pyshacl-turbo about 1.5 s, which is why the build validates in the background (``start_validation``).
No inference is run: the shapes are written for the data as stated (see the shapes file's header).
"""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from kg.vocab import PREFIXES, XS

SHAPES_IRI = "https://w3id.org/xunshi-kg/shapes"
_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE.parent / "ontology" / "shapes.ttl", _HERE / "ontology" / "shapes.ttl")
SHAPES_TTL = next((p for p in _CANDIDATES if p.is_file()), _CANDIDATES[0])
ENGINES = ("turbo", "pyshacl")
MENTION_SHAPES = ("MentionShape", "MentionSpanShape")  # one focus node per mention: most of the work
# what only the mention shapes read: a structure-only check leaves these triples out
# what only the per-mention shapes read: a check of the structure (``structure_only``) can leave it out
MENTION_DETAILS = frozenset(ox.NamedNode(XS[name]) for name in ("start", "end", "surface", "sentence", "inReport"))
_MENTION_DETAILS = MENTION_DETAILS
_COMPACT = {**{p: str(ns) for p, ns in PREFIXES.items()}, "xsh": SHAPES_IRI + "#", "sh": str(SH)}


class ValidationInputError(ValueError):
    """The data or the shapes cannot be read (missing file, not RDF, no store): a user error."""


class Violation(NamedTuple):
    """One SHACL validation result, in plain strings (IRIs compacted with the project's prefixes)."""

    focus: str  # the node that breaks the rule (full IRI, or _:id)
    path: str | None  # the property concerned, e.g. "xs:start"; None for a rule on the node itself
    message: str  # English
    severity: str  # "Violation", "Warning" or "Info"
    shape: str  # the node shape that states the rule, e.g. "xsh:MentionShape"
    value: str | None = None  # the offending value, when the engine names one
    label: str | None = None  # the focus node's rdfs:label, or a mention's surface form
    message_zh: str | None = None  # the same message in Chinese


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    engine: str = ""
    seconds: float = 0.0  # the engine's time, reading the data left out
    triples: int = 0  # how many triples were checked

    @property
    def count(self) -> int:
        return len(self.violations)

    def as_dict(self) -> dict[str, Any]:
        return {"conforms": self.conforms, "count": self.count, "engine": self.engine, "triples": self.triples,
                "seconds": round(self.seconds, 3), "violations": [v._asdict() for v in self.violations]}


def default_engine() -> str:
    """``turbo`` when pyshacl-turbo is installed (much faster), else ``pyshacl``; ``KG_SHACL_ENGINE`` overrides."""
    chosen = os.environ.get("KG_SHACL_ENGINE", "").strip().lower()
    if chosen in ENGINES:
        return chosen
    return "turbo" if importlib.util.find_spec("pyshacl_turbo") is not None else "pyshacl"


# -- entry points -----------------------------------------------------------------------------------

def validate(data: rdflib.Graph | str | os.PathLike | Iterable[ox.Triple | ox.Quad],
             shapes: str | os.PathLike | None = None, *, engine: str | None = None) -> ValidationResult:
    """Validate ``data`` against ``shapes`` (default: ``ontology/shapes.ttl``).

    ``data`` is an rdflib Graph (a Dataset is validated as the union of its graphs), a store folder written
    by ``kg build`` (its report graphs; the ontology graph is not data), an RDF file (Turtle, N-Triples,
    N-Quads, TriG …), or pyoxigraph triples/quads. Raises ValidationInputError when it cannot be read.
    """
    if isinstance(data, rdflib.Graph):
        if data.context_aware:  # every named graph at once, so links across reports are checked too
            union = {quad[:3] for quad in data.quads((None, None, None, None))}  # type: ignore[attr-defined]
            data = [ox.Quad(*(_ox_term(t) for t in triple)) for triple in union]
        else:
            return _run(data, shapes, engine)
    elif isinstance(data, (str, os.PathLike)):
        data = read_quads(Path(data))
    return validate_triples(data, shapes, engine=engine)


def validate_triples(triples: Iterable[ox.Triple | ox.Quad], shapes: str | os.PathLike | None = None, *,
                     engine: str | None = None) -> ValidationResult:
    """Validate the union of ``triples`` (pyoxigraph triples or quads, as the build holds them)."""
    return _run([t.triple if isinstance(t, ox.Quad) else t for t in triples], shapes, engine)


def start_validation(triples: Iterable[ox.Triple | ox.Quad] | bytes, shapes: str | os.PathLike | None = None, *,
                     engine: str | None = None, structure_only: bool = False) -> Future[ValidationResult]:
    """Validate in the background, so the build can write its outputs meanwhile; ``.result()`` waits.

    ``triples`` may also be N-Triples bytes (as ``ox.serialize`` writes them, one triple a line): the
    engine then reads them as they are, without their being read into Python terms and written out again.
    pyshacl-turbo runs in a thread (its native code releases the GIL); pySHACL, pure Python, runs in a
    separate process fed the N-Triples bytes, so it does not hold up the build's Python work.

    ``structure_only`` leaves out the per-mention shapes (``MENTION_SHAPES``) and the mention details they
    read: that is four fifths of the triples and of the time, and what the build checks (kg.build).
    """
    engine = engine or default_engine()
    use_shapes = structure_shapes(shapes) if structure_only else None
    if isinstance(triples, (bytes, bytearray)) and structure_only and _has_mention_details(triples):
        triples = list(ox.parse(bytes(triples), format=ox.RdfFormat.N_TRIPLES))  # to leave the details out
    if isinstance(triples, (bytes, bytearray)):
        nt: bytes | None = bytes(triples)
        data: list[ox.Triple] | str = nt.decode("utf-8")
    else:
        if structure_only:  # filtered before .triple, which makes a new object per quad
            triples = [t for t in triples if t.predicate not in _MENTION_DETAILS]
        data = [t.triple if isinstance(t, ox.Quad) else t for t in triples]
        nt = None
    if engine == "turbo":
        pool: Any = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-validate")
        future = pool.submit(_run, data, shapes, engine, use_shapes)
    else:
        nt = nt if nt is not None else ox.serialize(data, format=ox.RdfFormat.N_TRIPLES)
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        future = pool.submit(_validate_ntriples, nt, None if shapes is None else str(shapes), engine, use_shapes)
    pool.shutdown(wait=False)  # the submitted work still runs to the end
    return future


def _has_mention_details(nt: bytes) -> bool:
    """Whether N-Triples ``nt`` may hold a triple of ``MENTION_DETAILS``: none of their IRIs is in it."""
    return any(b"<%s>" % p.value.encode() in nt for p in MENTION_DETAILS)


def structure_shapes(shapes: str | os.PathLike | None = None) -> list[str]:
    """The IRIs of every named shape except ``MENTION_SHAPES``."""
    graph = load_shapes(shapes)
    named = {str(s) for kind in (SH.NodeShape, SH.PropertyShape) for s in graph.subjects(RDF.type, kind)
             if isinstance(s, rdflib.URIRef)}
    return sorted(named - {f"{SHAPES_IRI}#{name}" for name in MENTION_SHAPES})


def _validate_ntriples(nt: bytes, shapes: str | None, engine: str, use_shapes: list[str] | None = None) -> ValidationResult:
    return _run(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)), shapes, engine, use_shapes)


# -- reading ----------------------------------------------------------------------------------------

def read_quads(path: Path) -> list[ox.Quad]:
    """The data quads of a store folder (report and entity graphs, not the ontology) or of an RDF file."""
    from kg import store as kgstore

    if path.is_dir():
        store = kgstore.open_store(path)  # StoreNotFound if the folder is not a store
        skip = {kgstore.ONTOLOGY_GRAPH, kgstore.UNION_GRAPH}
        graphs = [ox.DefaultGraph(), *(g for g in store.named_graphs() if g not in skip)]
        return [q for g in graphs for q in store.quads_for_pattern(None, None, None, g)]
    if not path.is_file():
        raise ValidationInputError(f"no such file or store folder: {path}")
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".") or "ttl") or ox.RdfFormat.TURTLE
    try:
        return list(ox.parse(path=str(path), format=fmt))
    except (SyntaxError, ValueError, OSError) as e:
        raise ValidationInputError(f"cannot read {path} as {fmt.name}: {e}") from None


@lru_cache(maxsize=8)
def _shapes_graph(path: str, mtime: float) -> rdflib.Graph:
    g = rdflib.Graph()
    try:
        g.parse(path, format=rdflib.util.guess_format(path) or "turtle")
    except Exception as e:  # rdflib raises many kinds (BadSyntax, SAX errors, …); all mean "not readable"
        raise ValidationInputError(f"cannot read the shapes file {path}: {' '.join(str(e).split())[:200]}") from None
    if not any(g.triples((None, RDF.type, SH.NodeShape))) and not any(g.triples((None, SH.property, None))):
        raise ValidationInputError(f"the shapes file {path} declares no SHACL shapes")
    return g


def load_shapes(shapes: str | os.PathLike | None = None) -> rdflib.Graph:
    """The shapes graph (parsed once per file version); ValidationInputError if it cannot be read."""
    path = Path(shapes) if shapes is not None else SHAPES_TTL
    try:
        mtime = path.stat().st_mtime
    except OSError as e:
        raise ValidationInputError(f"cannot read the shapes file {path}: {e.strerror or e}") from None
    return _shapes_graph(str(path.resolve()), mtime)


@lru_cache(maxsize=8)
def _turbo_shapes(path: str, mtime: float) -> Any:
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(_shapes_graph(path, mtime), advanced=True)


# -- running ----------------------------------------------------------------------------------------

def _run(data: rdflib.Graph | list[ox.Triple] | str, shapes: str | os.PathLike | None, engine: str | None,
         use_shapes: list[str] | None = None) -> ValidationResult:
    """``data``: an rdflib graph, triples, or N-Triples text (one triple a line, as ``ox.serialize`` writes)."""
    engine = engine or default_engine()
    if engine not in ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; expected one of {', '.join(ENGINES)}")
    shapes_graph = load_shapes(shapes)
    started = time.perf_counter()
    if engine == "turbo":
        path = Path(shapes) if shapes is not None else SHAPES_TTL
        compiled = _turbo_shapes(str(path.resolve()), path.stat().st_mtime)
        if isinstance(data, rdflib.Graph):
            conforms, report, _ = compiled.validate(data, allow_warnings=True, use_shapes=use_shapes)
        else:  # N-Triples text the engine parses natively (bytes or a path would go through rdflib: 5× slower)
            from pyshacl_turbo import Input

            nt = data if isinstance(data, str) else ox.serialize(data, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            conforms, report, _ = compiled.validate(Input(nt, "nt", None, {}), allow_warnings=True, use_shapes=use_shapes)
    else:
        import pyshacl

        if isinstance(data, str):
            data = _parsed(data)
        graph = data if isinstance(data, rdflib.Graph) else _rdflib_graph(data)
        conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none", advanced=True,
                                               allow_warnings=True, use_shapes=use_shapes)
    seconds = time.perf_counter() - started
    violations = _violations(report, shapes_graph)
    if violations:
        violations = _with_labels(violations, _parsed(data) if isinstance(data, str) else data)
    count = sum(1 for line in data.split("\n") if line.strip()) if isinstance(data, str) else len(data)
    return ValidationResult(bool(conforms), violations, engine, seconds, count)


def _parsed(nt: str) -> list[ox.Triple]:
    return list(ox.parse(nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))


def _rdflib_graph(triples: list[ox.Triple]) -> rdflib.Graph:
    from kg.rdf import union_graph

    return union_graph([ox.Quad(t.subject, t.predicate, t.object) for t in triples])


def _ox_term(term: Any) -> Any:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


# -- the report in plain types -----------------------------------------------------------------------

def compact(iri: str) -> str:
    """``https://w3id.org/xunshi-kg/ontology#start`` → ``xs:start``; other IRIs unchanged."""
    for prefix, ns in _COMPACT.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _text(term: Any) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return compact(str(term))
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def _violations(report: rdflib.Graph, shapes: rdflib.Graph) -> list[Violation]:
    found = []
    # the report's own sh:result links, not every sh:ValidationResult: pySHACL also types the nested
    # sh:detail results of an sh:node or sh:or that failed, which restate the same violation
    for r in report.objects(None, SH.result):
        messages = list(report.objects(r, SH.resultMessage))
        by_lang = {getattr(m, "language", None): str(m) for m in messages}
        source = report.value(r, SH.sourceShape)
        severity = report.value(r, SH.resultSeverity)
        focus = report.value(r, SH.focusNode)
        found.append(Violation(
            focus=str(focus) if not isinstance(focus, rdflib.BNode) else f"_:{focus}",
            path=_text(report.value(r, SH.resultPath)),
            message=by_lang.get("en") or by_lang.get(None) or (str(messages[0]) if messages else ""),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            shape=_owner(source, shapes),
            value=_text(report.value(r, SH.value)),
            message_zh=by_lang.get("zh"),
        ))
    return sorted(found, key=lambda v: (v.shape, v.path or "", v.focus, v.value or ""))


def _owner(shape: Any, shapes: rdflib.Graph) -> str:
    """The named node shape a (usually blank) property shape belongs to."""
    if isinstance(shape, rdflib.BNode):
        shape = next(shapes.subjects(SH.property, shape), shape)
    return _text(shape) or ""


def _with_labels(violations: list[Violation], data: rdflib.Graph | list[ox.Triple]) -> list[Violation]:
    """Name each focus node so a reader knows it: its rdfs:label, else its own or its first mention's surface."""
    focus = {v.focus for v in violations}
    labels: dict[str, str] = {}
    surfaces: dict[str, str] = {}
    mentions: dict[str, str] = {}
    label, surface, mention = str(RDFS.label), str(XS.surface), str(XS.mention)
    if isinstance(data, rdflib.Graph):
        triples: Iterable[tuple[str, str, str]] = ((str(s), str(p), str(o)) for iri in focus
                                                   for s, p, o in data.triples((rdflib.URIRef(iri), None, None)))
    else:
        triples = ((t.subject.value, t.predicate.value, t.object.value) for t in data)
    for s, p, o in triples:
        if p == label and s in focus:
            labels.setdefault(s, o)
        elif p == surface:
            surfaces.setdefault(s, o)
        elif p == mention and s in focus:
            mentions.setdefault(s, o)
    if isinstance(data, rdflib.Graph):  # the surfaces of the focus nodes' mentions
        for m in mentions.values():
            surfaces.setdefault(m, str(data.value(rdflib.URIRef(m), XS.surface) or ""))

    def name(iri: str) -> str | None:
        return labels.get(iri) or surfaces.get(iri) or surfaces.get(mentions.get(iri, "")) or None

    return [v._replace(label=name(v.focus)) for v in violations]


__all__ = ["SHAPES_TTL", "ENGINES", "Violation", "ValidationResult", "ValidationInputError", "default_engine",
           "validate", "validate_triples", "start_validation", "read_quads", "load_shapes", "compact"]
