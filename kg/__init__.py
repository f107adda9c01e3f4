"""xunshi-kg: a knowledge-graph builder for Chinese inspection-rectification reports."""
__version__ = "0.1.0"
