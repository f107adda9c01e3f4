"""Built-in extraction components. Importing this package registers them with ``kg.pipeline``.

Each module is one component with the same shape: a class registered with ``@component("name")`` whose
instances are called with a ``Report`` and add ``Thing``s and ``Relation``s to it.
"""
from importlib import import_module

BUILTIN = ("inspection", "units", "persons", "documents", "programs", "problems")

for _name in BUILTIN:
    try:
        import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as exc:  # a component still being written must not break the others
        if exc.name != f"{__name__}.{_name}":
            raise
