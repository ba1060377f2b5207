"""`mockmic serve`: a local web app for the whole interview, over the same library and store.

Practice (questions, countdown, recording from the browser's microphone with live words, the
report, follow-ups, the summary), Upload (existing recordings) and History (sessions, reports,
comparisons, trends, past interviews). Only this package imports the web framework, and only
:mod:`mockmic.web.engine` imports the rest of mockmic.

>>> from mockmic.web.server import serve   # doctest: +SKIP
>>> serve(port=0, open_browser=False)      # doctest: +SKIP
"""
