"""The Flask front end (search page, JSON API, widget, feeds) arrives with the web issue.

It will only turn HTTP into calls of the library (``search.NewsIndex``): every search,
facet, snippet and syndication feature it shows is already a library call and a CLI
command today.
"""
