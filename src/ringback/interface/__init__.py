"""What the web pages and the ``ringback`` command of every app share, below all the apps.

Nothing here knows an app: it imports only Django, rich and :mod:`ringback.core`.
"""
