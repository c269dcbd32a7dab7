"""foreign-desk runtime: segmentation, actors, saved-model loading and prediction.

This package never imports ``training``: serving needs no training code.
"""

from inference.article import Article, Dateline

__all__ = ["Article", "Dateline"]
__version__ = "0.1.0"
