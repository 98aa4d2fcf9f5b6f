"""Every call the storefront client makes to the portal is in the API description."""

from __future__ import annotations

import pytest

from tests.apidocs.contract import documented_operations
from tests.storefront.conftest import CLIENT_CALLS


def test_the_list_names_each_call_once():
    assert len(set(CLIENT_CALLS)) == len(CLIENT_CALLS)


@pytest.mark.parametrize(("method", "path"), CLIENT_CALLS, ids=[f"{m} {p}" for m, p in CLIENT_CALLS])
def test_each_client_call_is_described_with_its_method(method, path):
    assert (method, path) in documented_operations()
