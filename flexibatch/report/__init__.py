"""`flexibatch report`: a period's submissions as a self-contained HTML report for people.

The flow is one way: `data.py` reads the period from the store into pandas frames, `figures.py`
aggregates them, `svg.py` and `html.py` draw and lay them out, `pages.py` writes the files. Every
word a page shows comes from `words.py`, through the translator it is given.
"""
