"""WSGI entry point for a WSGI server of your own (``ringback serve`` runs waitress itself)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ringback.settings")
application = get_wsgi_application()
