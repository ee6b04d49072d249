"""Reading the index: a snapshot of its arrays, the query parser, BM25F scoring over numpy
masks, facets, ranking, snippets, suggestions and the plain result objects.

``engine.SearchEngine`` composes them; ``search.NewsIndex`` is the door callers use.
"""
