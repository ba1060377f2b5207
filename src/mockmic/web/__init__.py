"""`mockmic serve`: a local web app for the whole interview, over the same library and store.

Practice (questions, countdown, recording from the browser's microphone with live words, the
report, follow-ups, the summary), Upload (existing recordings) and History (sessions, reports,
comparisons, trends, past interviews). Only this package imports the web framework, and only
:mod:`mockmic.web.engine` imports the rest of mockmic.

Started by ``mockmic serve`` (``cli/serve.py``), which calls
``mockmic.web.server.serve(port=..., open_browser=...)``; the tests start it the same way.
"""
