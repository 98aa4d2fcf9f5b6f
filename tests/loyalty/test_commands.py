from datetime import date

from portal.accounts.models import User
from portal.extensions import db as _db
from portal.loyalty import services
from portal.loyalty.models import ACTIVE, PENDING
from portal.settings import services as settings


def test_retry_pending_makes_the_cards(runner, db, make_user, loyalty_service):
    people = [make_user(phone=f"+90555111223{n}", date_of_birth=date(1990, 1, n + 1)) for n in range(2)]
    loyalty_service.fail("503")
    for person in people:
        link = services.add_pending_link(user=_db.session.get(User, person.id))
        _db.session.commit()
        assert services.sync_link(link_id=link.id).status == PENDING

    result = runner.invoke(args=["loyalty", "retry-pending"])
    assert result.output.strip() == "active: 0, still pending: 2, failed: 0"
    loyalty_service.heal()
    result = runner.invoke(args=["loyalty", "retry-pending"])
    assert result.exit_code == 0
    assert result.output.strip() == "active: 2, still pending: 0, failed: 0"
    assert [services.link_for(user_id=p.id).status for p in people] == [ACTIVE, ACTIVE]
    assert len(loyalty_service.customers()) == 2


def test_retry_pending_without_setting(runner, db):
    assert settings.get_setting(settings.CUSTOMER_LOYALTY_CARD_SERVICE) is None
    result = runner.invoke(args=["loyalty", "retry-pending"])
    assert result.exit_code == 1


def test_seed_demo_points_at_the_simulator(runner, db, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    value = settings.get_setting(settings.CUSTOMER_LOYALTY_CARD_SERVICE)
    assert value["base_url"] == app.config["LOYALTY_SIM_URL"]
    assert value["api_key"] == app.config["LOYALTY_SIM_API_KEY"]
    assert settings.get_setting(settings.KVKK_CONFIRMATION_ENABLED) is True
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
