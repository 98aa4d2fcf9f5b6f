"""The customer's segment page and the management pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db as _db
from portal.segments.models import PriceList, Segment, SegmentChoice
from tests.conftest import page

AGENT_PASSWORD = "agent-password-1"


@pytest.fixture
def catalog(customer, make_segment, make_price_list):
    make_price_list(name="Standard prices", code="STD", currency="TRY")
    euro = make_price_list(name="Euro prices", code="EU1", currency="EUR")
    return {
        "everyone": make_segment("Everyone", priority=10),
        "domain": make_segment(
            "Example.com", priority=1, rule="email_domain", rule_value="example.com", price_list_id=euro
        ),
        "foreign": make_segment(
            "Wholesale", priority=0, rule="attribute_equals", rule_attribute="type", rule_value="b2b"
        ),
    }


def chosen(app, user_id):
    with app.app_context():
        return _db.session.execute(
            select(SegmentChoice.segment_id).where(SegmentChoice.user_id == user_id)
        ).scalar_one_or_none()


# --- the customer's page --------------------------------------------------


def test_page_lists_available_segments_with_price_list_and_currency(client, auth, catalog):
    auth.login()
    response = client.get("/account/segments")
    assert response.status_code == 200
    doc = page(response)
    radios = doc.select("#segment-form input[type=radio][name=segment]")
    assert [r["value"] for r in radios] == [str(catalog["domain"]), str(catalog["everyone"])]
    domain, everyone = catalog["domain"], catalog["everyone"]
    assert doc.find(id=f"segment-{domain}-name").get_text() == "Example.com"
    assert doc.find(id=f"segment-{domain}-price-list").get_text() == "Euro prices"
    assert doc.find(id=f"segment-{domain}-currency").get_text() == "EUR"
    assert doc.find(id=f"segment-{everyone}-price-list").get_text() == "Standard prices"
    assert doc.find(id=f"segment-{everyone}-currency").get_text() == "TRY"
    assert doc.find(id=f"segment-{catalog['foreign']}") is None
    # Nothing chosen yet: the lowest priority number is current, and pre-selected.
    assert doc.find(id="current-segment")["data-segment"] == str(domain)
    assert doc.find(id=f"segment-{domain}").has_attr("checked")
    assert not doc.find(id=f"segment-{everyone}").has_attr("checked")


def test_page_is_in_the_navigation(client, auth, catalog):
    auth.login()
    doc = page(client.get("/account/profile"))
    assert doc.find(id="profile-segment-link")["href"] == "/account/segments"  # the profile links it
    assert "/admin/segments" not in [a["href"] for a in doc.select("nav.site-nav a")]


def test_switching_segment_confirms_and_marks_the_new_one(app, client, auth, customer, catalog):
    auth.login()
    response = auth.post("/account/segments", {"segment": str(catalog["everyone"])})
    assert response.status_code == 302 and response.headers["Location"] == "/account/segments"
    doc = page(client.get("/account/segments"))
    assert doc.find(id="flashes").get_text(strip=True) == "Customer group: now Everyone."
    assert doc.find(id="current-segment")["data-segment"] == str(catalog["everyone"])
    assert doc.find(id=f"segment-{catalog['everyone']}").has_attr("checked")
    assert chosen(app, customer.id) == catalog["everyone"]


@pytest.mark.parametrize("which", ["foreign", "nonexistent", "text"])
def test_tampered_choice_gets_the_api_refusal_beside_the_field(app, client, auth, customer, catalog, which):
    auth.login()
    auth.post("/account/segments", {"segment": str(catalog["everyone"])})
    value = {"foreign": str(catalog["foreign"]), "nonexistent": "31337", "text": "1 OR 1=1"}[which]
    response = auth.post("/account/segments", {"segment": value})
    assert response.status_code == 406
    doc = page(response)
    expected = f"Segment with ID {value} is not available for user {customer.id}."
    assert doc.find(id="segment-error").get_text(strip=True) == expected
    assert doc.find(id="error-summary") is not None
    assert doc.find(id="current-segment")["data-segment"] == str(catalog["everyone"])
    assert chosen(app, customer.id) == catalog["everyone"]


def test_submitting_no_choice_is_a_400(app, client, auth, customer, catalog):
    auth.login()
    response = auth.post("/account/segments", {})
    assert response.status_code == 400
    assert page(response).find(id="segment-error").get_text(strip=True) == "Choose a segment."
    assert chosen(app, customer.id) is None


def test_page_without_segments(client, auth, customer):
    auth.login()
    doc = page(client.get("/account/segments"))
    assert doc.find(id="no-segments") is not None
    assert doc.find(id="segment-form") is None


def test_page_needs_login(client):
    response = client.get("/account/segments")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


# --- management: permissions ----------------------------------------------

ADMIN_PAGES = [
    "/admin/segments",
    "/admin/segments/new",
    "/admin/segments/{segment}/edit",
    "/admin/price-lists",
    "/admin/price-lists/new",
    "/admin/price-lists/{price_list}/edit",
]


@pytest.fixture
def staff(make_user):
    make_user(email="agent@example.com", password=AGENT_PASSWORD, role="agent")
    make_user(email="admin@example.com", password=AGENT_PASSWORD, role="admin")


def _ids(app):
    with app.app_context():
        return {
            "segment": _db.session.execute(select(Segment.id)).scalars().first(),
            "price_list": _db.session.execute(select(PriceList.id)).scalars().first(),
        }


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_login(app, client, catalog, path):
    response = client.get(path.format(**_ids(app)))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("email", ["demo@example.com", "agent@example.com"])
def test_customers_and_agents_are_refused(app, client, auth, catalog, staff, path, email):
    password = AGENT_PASSWORD if email != "demo@example.com" else None
    auth.login(email=email, **({"password": password} if password else {}))
    response = client.get(path.format(**_ids(app)))
    assert response.status_code == 403
    assert page(response).find(id="error-page")["data-status"] == "403"


@pytest.mark.parametrize("email", ["demo@example.com", "agent@example.com"])
def test_customers_and_agents_cannot_post_either(app, client, auth, catalog, staff, email):
    auth.login(email=email, **({"password": AGENT_PASSWORD} if email != "demo@example.com" else {}))
    token = auth.csrf_token("/account/segments")
    response = client.post(
        "/admin/price-lists/new", data={"name": "Sneaky", "code": "SNEAK", "currency": "EUR", "csrf_token": token}
    )
    assert response.status_code == 403
    with app.app_context():
        assert _db.session.execute(select(PriceList).where(PriceList.code == "SNEAK")).first() is None


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admins_see_every_management_page(app, client, auth, catalog, staff, path):
    auth.login(email="admin@example.com", password=AGENT_PASSWORD)
    response = client.get(path.format(**_ids(app)))
    assert response.status_code == 200
    assert page(response).find(id="admin-segments-link") is not None


def test_admins_get_the_management_link_in_navigation(client, auth, catalog, staff):
    auth.login(email="admin@example.com", password=AGENT_PASSWORD)
    links = [a["href"] for a in page(client.get("/account/segments")).select("nav.site-nav a")]
    assert "/admin/segments" in links


def test_unknown_ids_are_404(client, auth, catalog, staff):
    auth.login(email="admin@example.com", password=AGENT_PASSWORD)
    assert client.get("/admin/segments/999999/edit").status_code == 404
    assert client.get("/admin/price-lists/999999/edit").status_code == 404


# --- management: forms ----------------------------------------------------


@pytest.fixture
def admin(auth, staff):
    auth.login(email="admin@example.com", password=AGENT_PASSWORD)
    return auth


def test_admin_creates_and_edits_a_price_list(app, client, admin):
    response = admin.post(
        "/admin/price-lists/new",
        {"name": "Swiss prices", "code": "CH-1", "currency": "chf"},
        token_from="/admin/price-lists/new",
    )
    assert response.status_code == 302
    doc = page(client.get("/admin/price-lists"))
    with app.app_context():
        price_list = _db.session.execute(select(PriceList)).scalar_one()
        assert (price_list.currency, price_list.is_default) == ("chf", True)
    row = doc.find(id=f"price-list-row-{price_list.id}")
    assert row.select_one(".price-list-currency").get_text() == "CHF"
    assert doc.find(id="flashes").get_text(strip=True) == "Price list Swiss prices saved."

    edit = f"/admin/price-lists/{price_list.id}/edit"
    assert page(client.get(edit)).find(id="currency")["value"] == "CHF"
    response = admin.post(edit, {"name": "Swiss", "code": "CH-1", "currency": "EUR", "is_default": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert _db.session.get(PriceList, price_list.id).name == "Swiss"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "code": "A", "currency": "EUR"}, "name", "This field is required."),
        (
            {"name": "A", "code": "has space", "currency": "EUR"},
            "code",
            "Use letters, digits, dots, dashes and underscores only.",
        ),
        ({"name": "A", "code": "A", "currency": "XYZ"}, "currency", "Not an ISO 4217 currency code."),
        ({"name": "A", "code": "STD", "currency": "EUR"}, "code", "A price list with this code already exists."),
    ],
)
def test_price_list_form_errors(app, client, admin, catalog, data, field, message):
    response = admin.post("/admin/price-lists/new", data)
    assert response.status_code == 400
    assert page(response).find(id=f"{field}-error").get_text(strip=True) == message
    with app.app_context():
        assert _db.session.execute(select(PriceList.code).order_by(PriceList.code)).scalars().all() == ["EU1", "STD"]


def test_admin_creates_a_members_segment(app, client, admin, catalog):
    with app.app_context():
        euro = _db.session.execute(select(PriceList.id).where(PriceList.code == "EU1")).scalar_one()
    response = admin.post(
        "/admin/segments/new",
        {
            "name": "Friends",
            "priority": "2",
            "is_active": "y",
            "starts_on": "2026-01-01",
            "ends_on": "",
            "price_list": str(euro),
            "rule": "members",
            "members": "demo@example.com\nadmin@example.com",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        segment = _db.session.execute(select(Segment).where(Segment.name == "Friends")).scalar_one()
        assert sorted(u.email for u in segment.members) == ["admin@example.com", "demo@example.com"]
        assert (segment.priority, segment.price_list_id, str(segment.starts_on)) == (2, euro, "2026-01-01")
    row = page(client.get("/admin/segments")).find(id=f"segment-row-{segment.id}")
    assert row.select_one(".segment-rule").get_text(" ", strip=True) == "Listed members: 2 members"
    edit = page(client.get(f"/admin/segments/{segment.id}/edit"))
    assert edit.find(id="members").get_text().strip() == "admin@example.com\ndemo@example.com"
    assert edit.find(id="price_list").find("option", selected=True)["value"] == str(euro)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"priority": "high"}, "priority", "Not a valid integer value."),
        (
            {"starts_on": "2026-05-02", "ends_on": "2026-05-01"},
            "ends_on",
            "The end date must not be before the start date.",
        ),
        (
            {"rule": "email_domain", "rule_value": "not a domain"},
            "rule_value",
            "Enter an email domain such as example.com.",
        ),
        (
            {"rule": "attribute_equals", "rule_value": "x"},
            "rule_attribute",
            "The attribute rule needs the attribute's name.",
        ),
        ({"rule": "nobody"}, "rule", "Not a valid choice."),
        ({"price_list": "999999"}, "price_list", "Not a valid choice."),
        ({"rule": "members", "members": "ghost@example.com"}, "members", "No account has the email ghost@example.com."),
    ],
)
def test_segment_form_errors(app, client, admin, catalog, changes, field, message):
    data = {"name": "New", "priority": "1", "rule": "everyone", "price_list": ""}
    data.update(changes)
    response = admin.post("/admin/segments/new", data)
    assert response.status_code == 400
    assert page(response).find(id=f"{field}-error").get_text(strip=True) == message
    with app.app_context():
        assert _db.session.execute(select(Segment).where(Segment.name == "New")).first() is None


def test_admin_edits_a_segment_and_customers_see_the_change(app, client, admin, catalog):
    segment_id = catalog["everyone"]
    edit = f"/admin/segments/{segment_id}/edit"
    form = page(client.get(edit))
    assert form.find(id="name")["value"] == "Everyone"
    assert form.find(id="is_active").has_attr("checked")
    response = admin.post(edit, {"name": "Everyone", "priority": "10", "rule": "everyone", "price_list": ""})
    assert response.status_code == 302  # is_active unticked
    with app.app_context():
        assert _db.session.get(Segment, segment_id).is_active is False
    assert (
        page(client.get("/admin/segments"))
        .find(id=f"segment-row-{segment_id}")
        .select_one(".segment-active")
        .get_text()
        == "No"
    )


@pytest.mark.parametrize(
    ("language", "setting", "word"),
    [
        ("en", None, "Customer group"),
        ("tr", None, "Müşteri grubu"),
        ("en", "Club", "Club"),
        ("tr", {"en": "Club", "tr": "Kulüp"}, "Kulüp"),
        ("en", {"tr": "Kulüp"}, "Customer group"),
    ],
)
def test_customers_read_the_shops_word_for_segment(app, auth, make_user, language, setting, word):
    app.config["SEGMENT_LABEL"] = setting
    make_user(email="words@example.com", language_code=language)
    auth.login("words@example.com")
    doc = page(auth.client.get("/account/segments"))
    assert doc.find(id="segment-title").get_text(strip=True) == word
    assert doc.find("title").get_text(strip=True).startswith(word)
    assert doc.find(id="segment-intro").get_text(strip=True).startswith(word)
    profile = page(auth.client.get("/account/profile"))
    assert profile.find(id="profile-segment-link").get_text(strip=True) == word
    assert "segment" not in doc.find("main").get_text().lower()
