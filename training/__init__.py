"""foreign-desk training: configs, data loading, trainers, evaluation and model cards.

May import ``inference``; ``inference`` never imports this package.
"""

__version__ = "0.1.0"
