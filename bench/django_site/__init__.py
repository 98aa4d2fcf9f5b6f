"""The portal's profile page built in Django, for ``make bench`` to compare with.

A minimal project written as Django's tutorial and documentation show: Django
templates with ``{% translate %}`` over the portal's own catalogues (compiled
into Django's domain by ``bench/run.py``), Django forms and a formset with the
profile page's fields, the session and CSRF middleware, and the portal's
``users`` row read through an unmanaged model. Sessions are Django's default
(database-backed, the ``django_session`` table); connections persist between
requests (``CONN_MAX_AGE``), as a production Django site sets them.

``gunicorn bench.django_site.wsgi:application`` reads ``DATABASE_URL``,
``SECRET_KEY`` and ``DJANGO_LOCALE_PATH`` from the environment.
"""
