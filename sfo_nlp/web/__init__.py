"""The local web page (``sfo-nlp serve``): app.py routes, security.py guards, jobs.py
background analyses; templates/ and static/ hold the HTML and CSS (no JavaScript)."""
