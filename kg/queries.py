"""Canned questions: a library of named SPARQL queries, one ``.rq`` file each, run by name with parameters.

Why files and not Python strings: a question is data a user can read, copy and grow, as the lexicons are.
The shipped ones live in ``kg/queries/``; a user adds or overrides questions by putting ``NAME.rq`` files in
a folder and pointing ``KG_QUERIES`` at it (several folders separated by ``os.pathsep``; a later folder's
file of the same name wins).

A file's name is the question's name (lowercase words joined by ``-``). Its leading ``#`` comment block is
its header::

    # 标题: 按巡视组列出巡视
    # title: Inspections by team
    # 回答：……（any other comment line is description, Chinese and English）
    # param team: literal@zh, optional — 巡视组名称或简称 | the team's name or any alias
    # param as_of: date, default=2020-12-31 — 截至日期 | the date to judge against
    # one-of: node, label

A line ``# order: -reports, document`` sorts the answer by those columns (``-``: descending) after the query
ran: Oxigraph compares strings slowly (see ``_sorted``), so a query sorts by numbers in SPARQL and leaves
the text columns' order to the header.

A parameter's type is ``literal@LANG`` (a language-tagged string), ``string``, ``iri`` (``<…>``, a full
IRI or a prefixed name such as ``xsr:unit/…``), ``date`` (YYYY-MM-DD) or ``integer``; it is ``required``,
``optional`` or has a ``default=VALUE``; ``one-of`` asks for at least one of the named optional parameters.

Values are bound with SPARQL substitutions (SEP-0007; pyoxigraph's ``substitutions=``, rdflib's
``initBindings=``), never pasted into the query text, so no value can change what a query does. What that
asks of a query: every parameter is a variable of the same name in the SELECT clause (pyoxigraph requires
it; ``run`` drops those columns from the answer, whose rows would all hold the value given); and, as an
absent optional parameter is simply unbound, a query tests it with a pattern that holds when it is unbound
— ``FILTER EXISTS { ?u rdfs:label|skos:altLabel ?unit }``, ``COALESCE(test-using-?param, true)`` or
``IF(COALESCE(STR(?param), "") = "", true, …)`` (IF rather than ``||``: rdflib evaluates both sides of ``||``) —
and never with ``BOUND(?param)``, which pyoxigraph 0.5 answers false for a substituted variable.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from kg.store import PREFIX_MAP, QueryResult, open_store, run_query

SHIPPED = Path(__file__).resolve().parent / "queries"
NAME_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TYPES = ("literal@LANG", "string", "iri", "date", "integer")
XSD = "http://www.w3.org/2001/XMLSchema#"

_PARAM_RE = re.compile(
    r"param\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<type>literal@[A-Za-z-]+|string|iri|date|integer)\s*,\s*"
    r"(?P<need>required|optional|default=(?P<default>\S+))\s*(?:[—–-]+\s*(?P<meaning>.*))?$")
_KEY_RE = re.compile(r"(?P<key>标题|title|one-of|param|order)\b\s*(?P<rest>.*)$")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT_RE = re.compile(r"[+-]?\d+")


class QueryError(ValueError):
    """A user error about a canned query (unknown name, bad parameter): the message is one line."""


class QueryDefinitionError(QueryError):
    """A ``.rq`` file whose header does not follow the format."""


@dataclass(frozen=True)
class Param:
    """One declared parameter: its SPARQL variable has the same name."""

    name: str
    type: str  # literal@zh | string | iri | date | integer
    required: bool = False
    default: str | None = None
    meaning: str = ""

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given as text; QueryError (one line) if it is not of this type."""
        if not value.strip():
            raise QueryError(f"parameter {self.name}: empty value")
        if self.type.startswith("literal@"):
            return ox.Literal(value, language=self.type.split("@", 1)[1])
        if self.type == "string":
            return ox.Literal(value)
        if self.type == "date":
            try:
                if not _DATE_RE.fullmatch(value):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                raise QueryError(f"parameter {self.name}: {value!r} is not a date (YYYY-MM-DD)") from None
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
        if self.type == "integer":
            if not _INT_RE.fullmatch(value.strip()):
                raise QueryError(f"parameter {self.name}: {value!r} is not an integer")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        return ox.NamedNode(_expand_iri(self.name, value))

    def describe(self) -> str:
        """``name (type, required|optional|default=…)`` as the header declares it."""
        need = "required" if self.required else f"default={self.default}" if self.default is not None else "optional"
        return f"{self.name} ({self.type}, {need})"


def _expand_iri(param: str, value: str) -> str:
    """``<iri>``, a full IRI, or a prefixed name with one of the project prefixes → the full IRI."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    else:
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIX_MAP:
            value = PREFIX_MAP[prefix] + local
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise QueryError(f"parameter {param}: {value!r} is not an IRI (give <https://…> or a prefixed name "
                         f"such as xsr:unit/…)")
    try:
        ox.NamedNode(value)
    except ValueError as e:
        raise QueryError(f"parameter {param}: {value!r} is not a valid IRI ({e})") from None
    return value


@dataclass(frozen=True)
class CannedQuery:
    """A named SPARQL question with its bilingual header and declared parameters."""

    name: str
    title_zh: str
    title_en: str
    description: str
    params: tuple[Param, ...]
    sparql: str
    one_of: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)
    order: tuple[tuple[str, bool], ...] = ()  # (column, descending): the ``# order:`` header line

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def bind(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check ``values`` against the declared parameters; the terms to substitute, by variable name.

        Unknown or missing-but-required parameters and values of the wrong type raise QueryError; defaults
        fill in what was not given; an optional parameter without a default stays unbound.
        """
        for name in values:
            if self.param(name) is None:
                known = ", ".join(p.name for p in self.params) or "none"
                raise QueryError(f"query {self.name} has no parameter {name!r} (its parameters: {known})")
        terms: dict[str, ox.NamedNode | ox.Literal] = {}
        for p in self.params:
            value = values.get(p.name, p.default)
            if value is None:
                if p.required:
                    raise QueryError(f"query {self.name} needs --param {p.name}=… ({p.type}: {p.meaning})")
                continue
            terms[p.name] = p.term(value)
        if self.one_of and not any(n in terms for n in self.one_of):
            raise QueryError(f"query {self.name} needs at least one of " +
                             ", ".join(f"--param {n}=…" for n in self.one_of))
        return terms


# -- reading the files -------------------------------------------------------------------------------

def parse(text: str, name: str, path: Path | None = None) -> CannedQuery:
    """A CannedQuery from a ``.rq`` file's text; QueryDefinitionError if its header is malformed."""
    where = str(path or name)
    title_zh = title_en = ""
    description: list[str] = []
    params: list[Param] = []
    one_of: tuple[str, ...] = ()
    order: tuple[tuple[str, bool], ...] = ()
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped.startswith("#"):
            if stripped:
                break  # the header is the leading comment block
            continue
        line = stripped.lstrip("#").strip()
        m = _KEY_RE.match(line)
        key, rest = (m["key"], m["rest"].lstrip(":： ").strip()) if m else ("", line)
        if key == "标题":
            title_zh = rest
        elif key == "title":
            title_en = rest
        elif key == "one-of":
            one_of = tuple(n.strip() for n in rest.split(",") if n.strip())
        elif key == "order":
            order = tuple((n.strip().lstrip("-"), n.strip().startswith("-")) for n in rest.split(",") if n.strip())
        elif key == "param":
            pm = _PARAM_RE.fullmatch(line)
            if pm is None:
                raise QueryDefinitionError(f"{where}: bad parameter line {line!r}; expected "
                                           "'param NAME: TYPE, required|optional|default=VALUE — meaning'")
            params.append(Param(pm["name"], pm["type"], pm["need"] == "required", pm["default"],
                                (pm["meaning"] or "").strip()))
        elif line:
            description.append(line)
    unknown = [n for n in one_of if n not in {p.name for p in params}]
    if unknown:
        raise QueryDefinitionError(f"{where}: one-of names undeclared parameters {', '.join(unknown)}")
    unknown = [n for n, _ in order if not re.search(rf"\?{re.escape(n)}\b", text)]
    if unknown:
        raise QueryDefinitionError(f"{where}: order names columns the query does not have: {', '.join(unknown)}")
    query = CannedQuery(name, title_zh, title_en, "\n".join(description), tuple(params), text, one_of, path, order)
    for p in params:  # a bad default is the file's fault, not the user's
        if p.default is not None:
            try:
                p.term(p.default)
            except QueryError as e:
                raise QueryDefinitionError(f"{where}: default of {e}") from None
    return query


def load(path: Path) -> CannedQuery:
    """Read one ``.rq`` file; its name is the file's stem."""
    path = Path(path)
    return parse(path.read_text(encoding="utf-8-sig"), path.stem, path)


def folders() -> list[Path]:
    """Where questions are looked for: the shipped folder, then each folder in ``KG_QUERIES``."""
    extra = [Path(p) for p in os.environ.get("KG_QUERIES", "").split(os.pathsep) if p]
    return [SHIPPED, *extra]


def _files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in folders():
        for path in sorted(folder.glob("*.rq")):
            if NAME_RE.fullmatch(path.stem):
                found[path.stem] = path  # a later folder overrides a shipped question of the same name
    return found


def list_queries() -> list[CannedQuery]:
    """Every canned question, sorted by name."""
    return [load(path) for _, path in sorted(_files().items())]


def get(name: str) -> CannedQuery:
    """The canned question called ``name``; QueryError naming the known ones if there is none."""
    path = _files().get(name)
    if path is None:
        raise QueryError(f"no canned query named {name!r}; `kg query --list` shows them "
                         f"({', '.join(sorted(_files()))})")
    return load(path)


def is_name(text: str) -> bool:
    """Does ``text`` look like a question's name rather than SPARQL (which always holds a space or brace)?"""
    return NAME_RE.fullmatch(text.strip()) is not None


# -- running -----------------------------------------------------------------------------------------

def _drop_columns(result: QueryResult, names: Iterable[str]) -> QueryResult:
    drop = set(names) & set(result.variables)
    if not drop or result.kind != "select":
        return result
    keep = [i for i, v in enumerate(result.variables) if v not in drop]
    variables = [result.variables[i] for i in keep]
    rows = [[row[i] for i in keep] for row in result.rows]
    data = result.json or {"head": {}, "results": {"bindings": []}}
    json = {"head": {**data["head"], "vars": variables},
            "results": {"bindings": [{k: v for k, v in b.items() if k not in drop}
                                     for b in data["results"]["bindings"]]}}
    return QueryResult("select", variables=variables, rows=rows, json=json)


def run(store_or_dir: ox.Store | Path | str, query: str | CannedQuery,
        params: Mapping[str, str] | None = None) -> QueryResult:
    """Run a canned question (by name, or a loaded CannedQuery) with ``params`` given as text.

    Raises QueryError for user errors, kg.store.StoreNotFound if there is no store.
    """
    canned = get(query) if isinstance(query, str) else query
    terms = canned.bind(params or {})
    store = store_or_dir if isinstance(store_or_dir, ox.Store) else open_store(Path(store_or_dir))
    try:
        result = run_query(store, canned.sparql,
                           substitutions={ox.Variable(k): v for k, v in terms.items()} or None)
    except RuntimeError as e:  # e.g. a parameter missing from the SELECT clause: the file's fault
        raise QueryDefinitionError(f"{canned.path or canned.name}: {e}") from None
    return _sorted(_drop_columns(result, (p.name for p in canned.params)), canned.order)


def _sort_key(binding: dict[str, Any] | None) -> tuple:
    """Numbers as numbers, everything else as its text; unbound last."""
    if binding is None:
        return (2, 0.0, "")
    if binding.get("datatype", "").startswith(XSD) and binding["datatype"][len(XSD):] in _NUMERIC:
        return (0, float(binding["value"]), "")
    return (1, 0.0, binding["value"])


_NUMERIC = {"integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger"}


def _sorted(result: QueryResult, order: tuple[tuple[str, bool], ...]) -> QueryResult:
    """The rows in the order the header declares (``# order: -reports, document``).

    Oxigraph looks every string up in its dictionary at each comparison, so ``ORDER BY ?label`` over a
    thousand rows costs tens of milliseconds; sorted here it costs none. A query keeps its numeric ORDER
    BY, which is cheap, so that it reads right in any SPARQL engine; the header adds the ties' order."""
    if not order or result.kind != "select" or result.json is None:
        return result
    pairs = list(zip(result.rows, result.json["results"]["bindings"]))
    for column, descending in reversed(order):  # stable sorts, last key first
        pairs.sort(key=lambda p: _sort_key(p[1].get(column)), reverse=descending)
    json = {**result.json, "results": {"bindings": [b for _, b in pairs]}}
    return QueryResult("select", variables=result.variables, rows=[r for r, _ in pairs], json=json)


def rdflib_bindings(canned: CannedQuery, params: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The same bindings as rdflib terms, for ``rdflib.Graph.query(canned.sparql, initBindings=…)``."""
    import rdflib

    out: dict[str, Any] = {}
    for name, term in canned.bind(params or {}).items():
        if isinstance(term, ox.NamedNode):
            out[name] = rdflib.URIRef(term.value)
        elif term.language:
            out[name] = rdflib.Literal(term.value, lang=term.language)
        elif term.datatype.value == XSD + "string":
            out[name] = rdflib.Literal(term.value)
        else:
            out[name] = rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return out


__all__ = ["CannedQuery", "Param", "QueryError", "QueryDefinitionError", "list_queries", "get", "load", "parse",
           "run", "is_name", "folders", "rdflib_bindings"]
