"""The public vocabulary, declared once (as rdflib's DefinedNamespace does), so a typo is an error.

Every term here is defined in ``ontology/xunshi.ttl``; ``tests/test_ontology.py`` keeps the two in step.
The names are a contract with users' SPARQL (see ``../shared/spec/vocabulary.md``): add, never rename.
"""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace, OWL
from rdflib.term import URIRef

XS_IRI = "https://w3id.org/xunshi-kg/ontology#"
XSR_IRI = "https://w3id.org/xunshi-kg/resource/"


class XS(DefinedNamespace):
    """Classes and properties of the xunshi-kg ontology."""

    _NS = Namespace(XS_IRI)
    _fail = True

    # classes
    Report: URIRef
    Inspection: URIRef
    Unit: URIRef
    InspectionTeam: URIRef
    Person: URIRef
    Post: URIRef
    Document: URIRef
    Program: URIRef
    Deadline: URIRef
    Problem: URIRef
    Mention: URIRef
    Status: URIRef
    # status individuals
    Completed: URIRef
    InProgress: URIRef
    # properties
    mention: URIRef
    inReport: URIRef
    start: URIRef
    end: URIRef
    sourceFile: URIRef
    reportsOn: URIRef
    team: URIRef
    inspectedUnit: URIRef
    inspectionType: URIRef
    startDate: URIRef
    endDate: URIRef
    feedbackDate: URIRef
    issuedBy: URIRef
    cites: URIRef
    docNumber: URIRef
    conductedBy: URIRef
    report: URIRef
    partOf: URIRef
    status: URIRef
    longTerm: URIRef
    deadline: URIRef
    dueDate: URIRef
    # additions (not in the public contract's table, allowed by it)
    surface: URIRef
    sentence: URIRef
    sectionNumber: URIRef


XSR = Namespace(XSR_IRI)

PREFIXES: dict[str, Namespace | str] = {
    "xs": Namespace(XS_IRI),
    "xsr": XSR,
    "org": ORG,
    "foaf": FOAF,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "prov": PROV,
    "rdfs": RDFS,
    "rdf": RDF,
    "xsd": XSD,
    "owl": OWL,
}


def sparql_prefixes() -> str:
    """The PREFIX block every canned query and the CLI prepend."""
    return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"


__all__ = ["XS", "XSR", "ORG", "FOAF", "DCTERMS", "SKOS", "PROV", "RDF", "RDFS", "XSD", "OWL", "PREFIXES", "sparql_prefixes"]
