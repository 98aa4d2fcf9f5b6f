"""A customer with something in every place erasure must reach."""

from __future__ import annotations

from datetime import date

import pytest

from portal.accounts.models import User
from portal.extensions import db
from portal.loyalty import services as loyalty
from portal.profile import avatars
from portal.profile.services import record_consents
from portal.request_context import ChangeOrigin
from portal.segments.models import Segment, SegmentChoice
from tests.agents.conftest import acting, agent, console  # noqa: F401 (fixtures)
from tests.loyalty.conftest import loyalty_service, loyalty_sim  # noqa: F401 (fixtures)
from tests.profile.conftest import image_bytes

PHONE = "+905551112233"
EMAIL = "demo@example.com"


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def rich_customer(app, customer):
    """The demo customer with a birth date, gender, attributes, an avatar file,
    granted consents (with history), a segment choice. Returns the avatar file name."""
    with app.test_request_context():
        user = db.session.get(User, customer.id)
        user.date_of_birth = date(1990, 5, 17)
        user.gender = "female"
        user.attributes = {"favourite_store": "Kadıköy"}
        user.avatar = avatars.save(image_bytes())
        origin = ChangeOrigin(source="web", actor_id=user.id, client_ip="203.0.113.9", user_agent="Firefox")
        record_consents(user=user, consents={"email_allowed": True, "sms_allowed": True}, origin=origin)
        segment = Segment(name="Gold", rule="everyone")
        db.session.add(segment)
        db.session.flush()
        db.session.add(SegmentChoice(user_id=user.id, segment_id=segment.id, source="web", actor_id=user.id))
        db.session.commit()
        return user.avatar


@pytest.fixture
def carded_customer(app, rich_customer, loyalty_service):  # noqa: F811
    """``rich_customer`` with an active card at the (real, simulated) loyalty service."""
    with app.test_request_context():
        link = loyalty.request_card(user_id=db.session.execute(db.select(User.id)).scalars().first())
        assert link.status == "active"
    return rich_customer
