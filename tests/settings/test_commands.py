import json

from portal.settings import services


def test_set_get_list_unset(runner, db):
    result = runner.invoke(args=["settings", "set", "KVKK_CONFIRMATION_ENABLED", "true"])
    assert result.exit_code == 0, result.output
    value = json.dumps({"base_url": "http://127.0.0.1:5001", "api_key": "sim-key", "timeout": 2})
    result = runner.invoke(args=["settings", "set", "CUSTOMER_LOYALTY_CARD_SERVICE", value])
    assert result.exit_code == 0, result.output
    assert "sim-key" not in result.output

    result = runner.invoke(args=["settings", "get", "CUSTOMER_LOYALTY_CARD_SERVICE", "--show-secrets"])
    assert json.loads(result.output) == {"base_url": "http://127.0.0.1:5001", "api_key": "sim-key", "timeout": 2.0}
    result = runner.invoke(args=["settings", "get", "CUSTOMER_LOYALTY_CARD_SERVICE"])
    assert json.loads(result.output)["api_key"] == "********"

    result = runner.invoke(args=["settings", "list"])
    lines = result.output.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["CUSTOMER_LOYALTY_CARD_SERVICE", "KVKK_CONFIRMATION_ENABLED"]
    assert "sim-key" not in result.output

    result = runner.invoke(args=["settings", "unset", "KVKK_CONFIRMATION_ENABLED"])
    assert result.exit_code == 0
    assert services.get_setting("KVKK_CONFIRMATION_ENABLED") is None


def test_set_refuses_invalid_values(runner, db):
    result = runner.invoke(args=["settings", "set", "KVKK_CONFIRMATION_ENABLED", '"yes"'])
    assert result.exit_code == 1
    assert "value" in result.output
    result = runner.invoke(args=["settings", "set", "KVKK_CONFIRMATION_ENABLED", "not json"])
    assert result.exit_code == 1
    value = '{"base_url": "ftp://x", "api_key": "k", "timeout": 1}'
    result = runner.invoke(args=["settings", "set", "CUSTOMER_LOYALTY_CARD_SERVICE", value])
    assert result.exit_code == 1
    assert "base_url" in result.output
    assert services.get_setting("CUSTOMER_LOYALTY_CARD_SERVICE") is None


def test_get_missing_fails(runner, db):
    result = runner.invoke(args=["settings", "get", "KVKK_CONFIRMATION_ENABLED"])
    assert result.exit_code == 1
