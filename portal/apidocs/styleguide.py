"""Style guide entry for the API reference page."""

from portal.apidocs.views import docs_context
from portal.styleguide import entry


@entry("apidocs/docs.html", "the whole description", note="Rendered from portal/apidocs/openapi.yaml.")
def api_docs():
    return docs_context()
