"""RDF as text: terms in their N-Triples form, one named graph's N-Quads, and its Turtle.

Why not pyoxigraph objects: a build maps some 70,000 triples per million characters, four fifths of them
the details of mentions, each read once and written out. Making a Python object for every term and quad,
only to serialize it, cost the build more than everything it does with them (the store loads the N-Quads
in Rust). So the mapping writes each term once as the text N-Triples gives it, a triple is three such
strings, and the outputs are string joins. pyoxigraph still reads everything the build writes: the store
loads the N-Quads, and ``term`` turns back into pyoxigraph terms the few a page reads.

The forms are the ones pyoxigraph writes (``str(term)``; its Turtle serializer's prefixed names and short
literals), so the text is the same as serializing the same terms with it; tests hold both to that.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

import pyoxigraph as ox

Triple = tuple[str, str, str]  # subject, predicate, object: each a term as N-Triples text

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INTEGER = f'"^^<{_XSD}integer>'  # how an integer literal ends
_SHORT_DATATYPES = {f"<{_XSD}integer>": re.compile(r"[+-]?[0-9]+"),  # what Turtle writes bare
                    f"<{_XSD}boolean>": re.compile(r"true|false")}

# N-Triples' escapes in a quoted string (the control characters as \\uXXXX), as pyoxigraph writes them
_ESCAPES = {**{c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
            0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
# a prefixed name's local part: these characters are escaped anywhere, "." at either end, "-" at the start
_LOCAL_ESCAPES = str.maketrans({c: "\\" + c for c in "~!$&'()*+,;=/?#@%"})
_LOCAL_CHARACTERS = re.compile(r"[A-Za-z0-9_.:~!$&'()*+,;=/?#@%-]*")
# what follows an IRI's last "/" or "#" when it needs no escape in a prefixed name (nor makes one invalid)
_PLAIN_TAIL = re.compile(r"[A-Za-z0-9_:][A-Za-z0-9_:.-]*(?<!\.)|")
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')  # most text has none: a search is cheaper than a translation
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_UNESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def iri(value: str) -> str:
    """An IRI as N-Triples writes it. ``value`` is trusted: the build's own IRIs, which need no escape."""
    return f"<{value}>"


def literal(lexical: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """A literal as N-Triples writes it: a language-tagged string, a typed value, or a plain string."""
    quoted = f'"{lexical.translate(_ESCAPES)}"' if _NEEDS_ESCAPE.search(lexical) else f'"{lexical}"'
    if language:
        return f"{quoted}@{language}"
    if datatype and datatype != f"{_XSD}string":
        return f"{quoted}^^<{datatype}>"
    return quoted


def value(term: str) -> str:
    """What an IRI's text names (its ``.value``); for the build's subjects and predicates, always IRIs."""
    return term[1:-1]


def term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term of an N-Triples term, for the few terms a page reads."""
    if text[0] == "<":
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    lexical, language, datatype = literal_parts(text)
    if language:
        return ox.Literal(lexical, language=language)
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(lexical)


def literal_parts(text: str) -> tuple[str, str | None, str | None]:
    """A literal's lexical form, language and datatype IRI (None for a plain string) from its text."""
    end = text.rindex('"')
    lexical, rest = text[1:end], text[end + 1:]
    if "\\" in lexical:
        lexical = _UNESCAPE.sub(_unescape_one, lexical)
    if rest.startswith("@"):
        return lexical, rest[1:], None
    if rest.startswith("^^"):
        return lexical, None, rest[3:-1]
    return lexical, None, None


def _unescape_one(match: re.Match) -> str:
    short, long, char = match.groups()
    return chr(int(short or long, 16)) if char is None else _UNESCAPED[char]


def nquads(triples: Iterable[Triple], graph: str) -> bytes:
    """The N-Quads of ``triples`` in the named graph ``graph`` (an IRI's text), in their order."""
    return "".join([f"{s} {p} {o} {graph} .\n" for s, p, o in triples]).encode("utf-8")


def ntriples(triples: Iterable[Triple]) -> bytes:
    return "".join([f"{s} {p} {o} .\n" for s, p, o in triples]).encode("utf-8")


class TurtleTerms:
    """Terms as Turtle writes them under a set of prefixes: IRIs as prefixed names where the local part
    allows one (escaped as pyoxigraph escapes it), integers and booleans bare, ``rdf:type`` as ``a``.

    Most of a graph's IRIs are met once (a mention's), so an IRI is not memoised whole: what comes before
    its last "/" or "#" is (``_head``: a few dozen per corpus), and the rest, a digest or offsets, is
    usually a plain name that needs no escape."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # the longest namespace first: the one a prefixed name is made with when two would fit
        self.prefixes = sorted(((ns, name) for name, ns in prefixes.items()), key=lambda p: -len(p[0]))
        self._heads: dict[str, str | None] = {}
        self.known: dict[str, str] = {_RDF_TYPE: "a"}  # predicates and datatypes: few, met everywhere

    def predicate(self, text: str) -> str:
        known = self.known.get(text)
        if known is None:
            known = self.known[text] = self.iri(text)
        return known

    def object(self, text: str) -> str:
        if text[0] == "<":
            return self.iri(text)
        if text[-1] == ">":  # a typed literal
            quoted, _, datatype = text.rpartition("^^")
            bare = _SHORT_DATATYPES.get(datatype)
            if bare is not None and bare.fullmatch(quoted[1:-1]):
                return quoted[1:-1]
            return f"{quoted}^^{self.predicate(datatype)}"
        return text  # a string: quoted alike in both

    def iri(self, text: str) -> str:
        if text[0] != "<":  # a blank node
            return text
        cut = max(text.rfind("/"), text.rfind("#"), 0) + 1
        head, tail = text[1:cut], text[cut:-1]
        if _PLAIN_TAIL.fullmatch(tail):
            turtle_head = self._heads.get(head, False)
            if turtle_head is False:
                turtle_head = self._heads[head] = self._head(head)
            if turtle_head is not None:
                return turtle_head + tail
        return self._whole(text[1:-1])

    def _head(self, head: str) -> str | None:
        """The prefixed form of what an IRI has before a plain tail; None if its namespace is longer."""
        for namespace, name in self.prefixes:
            if head.startswith(namespace):
                local = self._local(head[len(namespace):], last=False)
                return None if local is None else f"{name}:{local}"
            if namespace.startswith(head):
                return None
        return None

    def _whole(self, iri_value: str) -> str:
        for namespace, name in self.prefixes:
            if iri_value.startswith(namespace):
                local = self._local(iri_value[len(namespace):])
                if local is not None:
                    return f"{name}:{local}"
        return f"<{iri_value}>"

    @staticmethod
    def _local(local: str, *, last: bool = True) -> str | None:
        """The local part of a prefixed name, escaped; None when it cannot be one (then: the whole IRI).
        ``last``: it ends the name (else a plain tail follows, and a "." at its end is inside)."""
        if not _LOCAL_CHARACTERS.fullmatch(local):  # beyond ASCII, Turtle's name characters are ranges:
            return None  # the whole IRI is always right
        out = local.translate(_LOCAL_ESCAPES)
        if last and len(local) > 1 and local[-1] == ".":
            out = out[:-1] + "\\."
        if local[:1] in (".", "-"):
            out = "\\" + out
        return out


def turtle(triples: list[Triple], terms: TurtleTerms) -> bytes:
    """The Turtle of ``triples`` without a prefix block: grouped by subject (a stable sort, so the order
    depends only on the input), a subject's consecutive objects of one predicate joined by commas."""
    lines: list[str] = []
    write, predicate_of, object_of, predicates = lines.append, terms.predicate, terms.object, terms.known
    written: dict[str, str] = {}  # IRIs, written once each per graph: a mention's is met twice, the report's often
    subject = predicate = None
    for s, p, o in sorted(triples, key=_subject_value):
        if o[0] == '"' and o[-1] != ">":  # a string is written as it is
            turtle_object = o
        elif o.endswith(_INTEGER) and (digits := o[1:-len(_INTEGER)]).isdigit() and digits.isascii():
            turtle_object = digits  # an offset: the commonest typed literal, written bare
        else:
            turtle_object = written.get(o) or written.setdefault(o, object_of(o))
        if s != subject:
            if subject is not None:
                write(" .\n")
            write(f"{written.get(s) or terms.iri(s)} {predicates.get(p) or predicate_of(p)} {turtle_object}")
            subject, predicate = s, p
        elif p != predicate:
            write(f" ;\n\t{predicates.get(p) or predicate_of(p)} {turtle_object}")
            predicate = p
        else:
            write(f" , {turtle_object}")
    if subject is not None:
        write(" .\n")
    return "".join(lines).encode("utf-8")


def _subject_value(triple: Triple) -> str:
    """The sort key: the subject IRI itself, not its text, whose closing ">" would sort it apart from a
    longer IRI it begins (``…-inspection`` after ``…-inspectionteam``, as text)."""
    return triple[0][1:-1]


__all__ = ["Triple", "iri", "literal", "value", "term", "literal_parts", "nquads", "ntriples", "TurtleTerms", "turtle"]
