"""The ontology file, kg/vocab.py and the public vocabulary (vocabulary.md) must never drift apart."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg.ontology import ONTOLOGY_IRI, ONTOLOGY_TTL, load_ontology
from kg.vocab import XS, XS_IRI

REPO = Path(__file__).resolve().parent.parent
VOCABULARY_MD = REPO.parent / "shared" / "spec" / "vocabulary.md"

# DefinedNamespace declares its terms as class annotations; that is the list code can name.
XS_TERMS = sorted(name for name in XS.__annotations__ if not name.startswith("_"))

PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load_ontology()


def _labels(g: Graph, term: URIRef, lang: str) -> list[str]:
    return [str(o) for o in g.objects(term, RDFS.label) if isinstance(o, Literal) and o.language == lang]


def test_parses_with_header(onto: Graph) -> None:
    assert ONTOLOGY_TTL.is_file()
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in onto
    assert str(onto.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)) == "0.1.0"


@pytest.mark.parametrize("name", XS_TERMS)
def test_every_vocab_term_is_defined(onto: Graph, name: str) -> None:
    term = XS[name]
    types = set(onto.objects(term, RDF.type))
    assert types, f"xs:{name} is not declared in {ONTOLOGY_TTL.name}"
    assert len(_labels(onto, term, "zh")) == 1, f"xs:{name} needs exactly one @zh label"
    assert len(_labels(onto, term, "en")) == 1, f"xs:{name} needs exactly one @en label"
    comments = [o for o in onto.objects(term, RDFS.comment) if isinstance(o, Literal) and o.language == "en"]
    assert comments, f"xs:{name} needs an @en rdfs:comment"
    if types & PROPERTY_TYPES:
        assert onto.value(term, RDFS.domain) is not None, f"xs:{name} has no rdfs:domain"
        assert onto.value(term, RDFS.range) is not None, f"xs:{name} has no rdfs:range"


def test_every_defined_term_is_in_vocab(onto: Graph) -> None:
    """The reverse direction: nothing in the file that code cannot name."""
    defined = {str(s)[len(XS_IRI):] for s in onto.subjects(RDF.type, None) if str(s).startswith(XS_IRI)}
    assert defined <= set(XS_TERMS), f"in the ontology but not in kg/vocab.py: {sorted(defined - set(XS_TERMS))}"


def test_term_kinds(onto: Graph) -> None:
    classes = {"Report", "Inspection", "Unit", "InspectionTeam", "Person", "Post", "Document", "Program",
               "Deadline", "Problem", "Mention", "Status"}
    for name in XS_TERMS:
        types = set(onto.objects(XS[name], RDF.type))
        if name in classes:
            assert OWL.Class in types, name
        elif name in {"Completed", "InProgress"}:
            assert XS.Status in types, name
        else:
            assert types & PROPERTY_TYPES, f"xs:{name} should be an object or datatype property"


def test_alignments(onto: Graph) -> None:
    from rdflib.namespace import FOAF, ORG, PROV

    expected = {
        XS.Report: {PROV.Entity, FOAF.Document},
        XS.Inspection: {PROV.Activity},
        XS.Unit: {ORG.Organization},
        XS.InspectionTeam: {XS.Unit},
        XS.Person: {FOAF.Person},
        XS.Post: {ORG.Post},
        XS.Document: {FOAF.Document},
        XS.Program: {PROV.Plan},
    }
    for cls, supers in expected.items():
        assert supers <= set(onto.objects(cls, RDFS.subClassOf)), cls


def test_due_date_range_is_a_union_of_date_types(onto: Graph) -> None:
    from rdflib.namespace import XSD  # imported here: pytest's collector trips on XSD's warnings

    rng = onto.value(XS.dueDate, RDFS.range)
    assert isinstance(rng, BNode)
    assert (rng, RDF.type, RDFS.Datatype) in onto
    members = set(Collection(onto, onto.value(rng, OWL.unionOf)))
    assert members == {XSD.date, XSD.gYearMonth, XSD.gYear}


def test_external_terms_have_chinese_labels(onto: Graph) -> None:
    from rdflib.namespace import DCTERMS, ORG, SKOS

    for term in (ORG.holds, ORG.postIn, SKOS.altLabel, DCTERMS.publisher, DCTERMS.issued, DCTERMS.title, RDFS.label):
        assert _labels(onto, term, "zh"), f"{term} needs a @zh label for the HTML view"


def _vocabulary_md_terms(text: str) -> set[str]:
    """Every xs: term in the markdown tables (rows starting with '|')."""
    terms: set[str] = set()
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            terms.update(re.findall(r"\bxs:([A-Za-z][A-Za-z0-9_]*)", line))
    return terms


@pytest.mark.skipif(not VOCABULARY_MD.is_file(), reason=f"{VOCABULARY_MD} not present")
def test_vocabulary_md_terms_are_in_vocab() -> None:
    terms = _vocabulary_md_terms(VOCABULARY_MD.read_text(encoding="utf-8"))
    assert len(terms) > 30, "the table parser found too few terms; has the markdown layout changed?"
    missing = sorted(t for t in terms if t not in XS_TERMS)
    assert not missing, f"in vocabulary.md but not in kg/vocab.py XS: {missing}"
