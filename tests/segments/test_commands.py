"""``flask segments …`` and the demo data of ``flask seed-demo``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.accounts.services import user_by_email
from portal.extensions import db as _db
from portal.segments import services
from portal.segments.models import PriceList, Segment


def test_price_list_commands(app, runner):
    result = runner.invoke(
        args=["segments", "create-price-list", "--name", "Lira", "--code", "TRY1", "--currency", "try"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["segments", "create-price-list", "--name", "Euro", "--code", "EUR1", "--currency", "EUR"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["segments", "edit-price-list", "EUR1", "--name", "Euro prices", "--default"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = _db.session.execute(
            select(PriceList.code, PriceList.name, PriceList.currency, PriceList.is_default)
        ).all()
    assert sorted(rows) == [("EUR1", "Euro prices", "eur", True), ("TRY1", "Lira", "try", False)]


def test_price_list_command_refuses_bad_input_with_the_form_rules(app, runner):
    result = runner.invoke(args=["segments", "create-price-list", "--name", "X", "--code", "X", "--currency", "ABC"])
    assert result.exit_code == 1
    assert "currency: Not an ISO 4217 currency code." in result.output
    with app.app_context():
        assert _db.session.execute(select(PriceList)).first() is None


def test_segment_commands(app, runner, make_user, make_price_list):
    make_user(email="one@example.com")
    make_price_list(name="Standard", code="STD")
    make_price_list(name="Euro", code="EU1", currency="EUR")
    result = runner.invoke(
        args=["segments", "create", "--name", "Club", "--priority", "4", "--rule", "members",
              "--member", "one@example.com", "--price-list", "EU1", "--ends-on", "2026-12-31"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        segment = _db.session.execute(select(Segment)).scalar_one()
        assert (segment.name, segment.priority, segment.rule, segment.ends_on) == (
            "Club",
            4,
            "members",
            date(2026, 12, 31),
        )
        assert [u.email for u in segment.members] == ["one@example.com"]
        assert segment.price_list.code == "EU1"
        segment_id = segment.id

    result = runner.invoke(
        args=["segments", "edit", str(segment_id), "--rule", "email_domain", "--value", "Example.com",
              "--price-list", "default", "--ends-on", "none", "--inactive"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        segment = _db.session.get(Segment, segment_id)
        assert (segment.name, segment.priority, segment.rule, segment.rule_value) == (
            "Club",
            4,
            "email_domain",
            "example.com",
        )
        assert (segment.price_list_id, segment.ends_on, segment.is_active, segment.members) == (None, None, False, [])

    result = runner.invoke(args=["segments", "list"])
    assert result.exit_code == 0
    segment_lines = result.output.split("Segments:\n", 1)[1].splitlines()
    line = next(line for line in segment_lines if line.startswith(f"{segment_id}\t"))
    assert line.split("\t") == [str(segment_id), "priority 4", "Club", "email_domain @example.com",
                                "price list (default)", "…..…", "inactive"]  # fmt: skip


def test_segment_command_errors(app, runner, make_price_list):
    make_price_list(name="Standard", code="STD")
    result = runner.invoke(args=["segments", "create", "--name", "X", "--rule", "attribute_equals", "--value", "v"])
    assert result.exit_code == 1
    assert "rule_attribute: The attribute rule needs the attribute's name." in result.output
    result = runner.invoke(args=["segments", "create", "--name", "X", "--rule", "members", "--member", "nobody@x.test"])
    assert result.exit_code == 1
    assert "members: No account has the email nobody@x.test." in result.output
    result = runner.invoke(args=["segments", "edit", "12345", "--name", "Y"])
    assert result.exit_code == 1
    assert "No segment has the id 12345." in result.output
    with app.app_context():
        assert _db.session.execute(select(Segment)).first() is None


def test_seed_demo_gives_the_demo_customer_two_segments_of_four(app, runner):
    for _ in range(2):  # idempotent
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        assert len(services.all_segments()) == 4
        currencies = {pl.currency for pl in services.all_price_lists()}
        assert currencies == {"try", "eur", "usd", "gbp"}
        assert services.default_price_list().code == "STD-TRY"
        demo = user_by_email("demo@example.com")
        offered = services.available_segments(user=demo)
        assert [(s.name, s.price_list.currency) for s in offered] == [
            ("Example.com customers", "eur"),
            ("Everyone", "try"),
        ]
        admin = user_by_email("admin@example.com")
        assert [s.name for s in services.available_segments(user=admin)][0] == "Staff"
        everyone = {s.name for s in services.all_segments()}
        assert everyone - {s.name for s in offered} == {"Wholesale", "Staff"}
