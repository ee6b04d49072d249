"""Writing the index: schema and analysis, story detection, the writers, the store.

``indexer`` composes the rest: ``rebuild`` writes a new generation beside the live one
and swaps it in (``store``); ``add`` and ``delete`` change the live generation in place.
``whoosh_internals`` is the one module that reaches into whoosh3's private attributes.
"""
