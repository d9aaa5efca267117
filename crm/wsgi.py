import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")

from crm.http import refuse_non_text_charsets  # noqa: E402 (needs the settings module)

application = refuse_non_text_charsets(get_wsgi_application())
