"""Console services against the real database."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from portal import clock
from portal.accounts.models import User
from portal.agents import services
from portal.agents.models import ActingSession, AppendOnlyError, AuditEvent
from portal.errors import PermissionDenied


@pytest.fixture(autouse=True)
def request_context(app):
    """Domain errors carry translated messages, and the locale comes from the request."""
    with app.test_request_context():
        yield


@pytest.fixture
def people(db, make_user):
    make_user(email="ayse@example.com", first_name="Ayşe", last_name="Yılmaz", phone="+905551112233")
    make_user(email="mehmet@shop.example", first_name="Mehmet", last_name="Kaya", phone="+905329876543")
    make_user(email="percent%@example.com", first_name="Per", last_name="Cent")
    make_user(email="agent@example.com", first_name="Ayşe", last_name="Agent", role="agent", phone="+905551110000")
    make_user(email="admin@example.com", first_name="Ayşe", last_name="Admin", role="admin")


def emails(page) -> list[str]:
    return [user.email for user in page.items]


@pytest.mark.parametrize(
    "query",
    ["+905551112233", "0555 111 22 33", "+90 (555) 111-22-33", "5551112233", "0090 555 111 2233"],
)
def test_phone_in_any_format_finds_the_customer(people, query):
    assert emails(services.search_customers(query=query, region="TR")) == ["ayse@example.com"]


def test_phone_digits_match_anywhere(people):
    assert emails(services.search_customers(query="987 65", region="TR")) == ["mehmet@shop.example"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("AYSE@example.com", ["ayse@example.com"]),
        ("mehmet@shop", ["mehmet@shop.example"]),  # an email's start
        ("shop.example", []),  # not its middle: a domain shared by thousands is no search
        ("percent%", ["percent%@example.com"]),
        ("mehmet kaya", ["mehmet@shop.example"]),
        ("kaya", ["mehmet@shop.example"]),
        ("ayşe", ["ayse@example.com"]),  # staff named Ayşe are never listed
        ("%", []),  # wildcards are literal
        ("_", []),
        ("nobody", []),
    ],
)
def test_email_and_name_search(people, query, expected):
    assert emails(services.search_customers(query=query)) == expected


@pytest.mark.parametrize("query", ["YILMAZ", "yılmaz", "yilmaz", "Yılmaz", "AYSE YILMAZ", "ayşe yılmaz", "ayse"])
def test_turkish_capitals_and_accents_are_folded(people, query):
    assert emails(services.search_customers(query=query)) == ["ayse@example.com"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("İNCE", ["ince@example.com"]),
        ("ince", ["ince@example.com"]),
        ("ÖZTÜRK", ["demetria@example.com"]),
        ("ozturk", ["demetria@example.com"]),
        ("öztürk", ["demetria@example.com"]),
        ("demet", ["demetria@example.com"]),
        ("ŞAHİN ÇAĞLA", ["cagla@example.com"]),
        ("sahin cagla", ["cagla@example.com"]),
        ("IŞIK", ["isik@example.com"]),
        ("ışık", ["isik@example.com"]),
    ],
)
def test_turkish_names_found_as_people_type_them(db, make_user, query, expected):
    make_user(email="ince@example.com", first_name="Eda", last_name="İnce")
    make_user(email="demetria@example.com", first_name="Demetria", last_name="Customer-Öztürk")
    make_user(email="cagla@example.com", first_name="Çağla", last_name="Şahin")
    make_user(email="isik@example.com", first_name="Ilgın", last_name="Işık")
    assert emails(services.search_customers(query=query)) == expected


def test_renaming_refolds_the_stored_search_name(db, make_user):
    user = make_user(email="rename@example.com", first_name="Ali", last_name="Kaya")
    stored = db.session.get(User, user.id)
    stored.last_name = "Güneş"
    db.session.commit()
    assert db.session.get(User, user.id).search_name == "gunes ali"
    assert emails(services.search_customers(query="GÜNEŞ")) == ["rename@example.com"]
    assert emails(services.search_customers(query="kaya")) == []


def test_the_count_stops_at_the_cap(db, make_user):
    for n in range(7):
        make_user(email=f"many{n}@example.com", first_name="Many", last_name=f"Yılmaz{n}")
    result = services.search_customers(query="YILMAZ", per_page=3, count_cap=5)
    assert (result.total, result.capped, result.pages, len(result.items)) == (5, True, 2, 3)
    exact = services.search_customers(query="yilmaz1", count_cap=5)
    assert (exact.total, exact.capped) == (1, False)


def test_beyond_the_cap_pages_follow_the_customer_number(db, make_user):
    """A word only first names hold (no surname starts with it) is counted up to the cap too."""
    made = [make_user(email=f"m{n}@example.com", first_name="Many", last_name=f"Zeki{n}") for n in range(7)]
    make_user(email="other@example.com", first_name="Other", last_name="Kaya")
    first = services.search_customers(query="MANY", per_page=3, count_cap=5)
    assert (first.total, first.capped, first.pages) == (5, True, 2)
    assert [u.id for u in first.items] == [u.id for u in made[:3]]
    second = services.search_customers(query="many", page=2, per_page=3, count_cap=5)
    assert [u.id for u in second.items] == [u.id for u in made[3:6]]
    # Two words beyond the cap: the same order.
    both = services.search_customers(query="many zeki", per_page=3, count_cap=5)
    assert (both.capped, [u.id for u in both.items]) == (True, [u.id for u in made[:3]])


def test_a_page_past_the_last_shows_the_last(db, make_user):
    for n in range(25):
        make_user(email=f"c{n:02d}@example.com", first_name="Page", last_name=f"Person{n:02d}")
    result = services.search_customers(query="page", page=9, per_page=20)
    assert (result.page, result.total, result.has_next) == (2, 25, False)
    assert emails(result) == [f"c{n:02d}@example.com" for n in range(20, 25)]
    assert services.search_customers(query="nobody", page=3).items == []


def test_search_pages(db, make_user):
    for n in range(25):
        make_user(email=f"c{n:02d}@example.com", first_name="Page", last_name=f"Person{n:02d}")
    first = services.search_customers(query="page", page=1, per_page=20)
    second = services.search_customers(query="page", page=2, per_page=20)
    assert (first.total, first.pages, len(first.items), first.has_next, first.has_prev) == (25, 2, 20, True, False)
    assert (len(second.items), second.has_next, second.has_prev) == (5, False, True)
    assert emails(second) == [f"c{n:02d}@example.com" for n in range(20, 25)]


@pytest.fixture
def pair(db, make_user):
    agent = make_user(email="agent@example.com", role="agent")
    customer = make_user(email="demo@example.com", phone="+905551112233")
    return agent, customer


def start(agent_id, customer_id, **kwargs):
    kwargs.setdefault("reason", "T-1")
    kwargs.setdefault("client_ip", "127.0.0.1")
    kwargs.setdefault("max_minutes", 30)
    return services.start_acting(agent_id=agent_id, customer_id=customer_id, **kwargs)


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_staff_can_never_be_a_target(db, pair, make_user, role):
    agent, _ = pair
    target = make_user(email=f"{role}2@example.com", role=role)
    with pytest.raises(PermissionDenied):
        start(agent.id, target.id)
    assert db.session.scalar(select(func.count()).select_from(ActingSession)) == 0


def test_inactive_customer_is_refused(db, pair, make_user):
    agent, _ = pair
    gone = make_user(email="gone@example.com", is_active=False)
    with pytest.raises(PermissionDenied, match="inactive"):
        start(agent.id, gone.id)


def test_a_customer_cannot_start(db, pair, make_user):
    _, customer = pair
    other = make_user(email="other@example.com")
    with pytest.raises(PermissionDenied):
        start(customer.id, other.id)


def test_start_and_stop_are_recorded_once(db, pair):
    agent, customer = pair
    clock.freeze()
    acting = start(agent.id, customer.id, reason="Ticket 7")
    assert acting.ends_at - acting.started_at == timedelta(minutes=30)
    assert services.stop_acting(acting_session_id=acting.id, why="stop", client_ip="10.0.0.9") is True
    assert services.stop_acting(acting_session_id=acting.id, why="logout", client_ip="10.0.0.9") is False
    rows = services.audit_trail(customer_id=customer.id).items
    assert [(r.action, r.details.get("why"), r.reason, r.agent_id) for r in reversed(rows)] == [
        ("start", None, "Ticket 7", agent.id),
        ("stop", "stop", "Ticket 7", agent.id),
    ]
    assert rows[0].client_ip == "10.0.0.9" and rows[1].client_ip == "127.0.0.1"
    assert rows[0].created_at.tzinfo is not None
    assert db.session.get(ActingSession, acting.id).end_reason == "stop"


def test_abandoned_sessions_are_closed_as_expired(db, pair):
    agent, customer = pair
    clock.freeze()
    acting = start(agent.id, customer.id, max_minutes=10)
    clock.advance(minutes=9)
    assert services.close_overdue_sessions() == 0
    clock.advance(minutes=2)
    assert services.close_overdue_sessions() == 1
    db.session.expire_all()
    row = db.session.get(ActingSession, acting.id)
    assert (row.end_reason, row.ended_at) == ("expired", acting.ends_at)
    assert [r.details.get("why") for r in services.audit_trail(customer_id=customer.id).items] == ["expired", None]


def test_audit_events_are_append_only(db, pair):
    agent, customer = pair
    start(agent.id, customer.id)
    event = db.session.execute(select(AuditEvent)).scalar_one()
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.execute(select(AuditEvent)).scalar_one())
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(update(AuditEvent).values(reason="rewritten"))
    with pytest.raises(AppendOnlyError):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    assert db.session.execute(select(AuditEvent.reason)).scalars().all() == ["T-1"]


def add_events(db, agent, customer, times):
    """Audit events at the given times (several may share one), oldest first; their ids."""
    events = [
        AuditEvent(agent_id=agent.id, customer_id=customer.id, action="write", reason=f"T-{n}", created_at=at)
        for n, at in enumerate(times)
    ]
    db.session.add_all(events)
    db.session.commit()
    return [event.id for event in events]


def test_the_audit_trail_is_read_a_page_at_a_time_newest_first(db, pair, make_user):
    agent, customer = pair
    other = make_user(email="other@example.com")
    now = clock.now()
    # 45 events, three to a second, so that pages must break ties between equal times by id.
    ids = add_events(db, agent, customer, [now + timedelta(seconds=n // 3) for n in range(45)])
    add_events(db, agent, other, [now + timedelta(seconds=100)])
    newest_first = list(reversed(ids))

    first = services.audit_trail(customer_id=customer.id, limit=20)
    assert [e.id for e in first.items] == newest_first[:20]
    assert (first.older, first.is_newest) == (newest_first[19], True)
    second = services.audit_trail(customer_id=customer.id, before=first.older, limit=20)
    assert [e.id for e in second.items] == newest_first[20:40]
    assert (second.older, second.is_newest) == (newest_first[39], False)
    last = services.audit_trail(customer_id=customer.id, before=second.older, limit=20)
    assert [e.id for e in last.items] == newest_first[40:]
    assert (last.older, last.is_newest) == (None, False)


@pytest.mark.parametrize("before", ["another customer's event", "no such event"])
def test_a_trail_page_after_an_event_not_of_the_customer_starts_at_the_newest(db, pair, make_user, before):
    agent, customer = pair
    other = make_user(email="other@example.com")
    [mine] = add_events(db, agent, customer, [clock.now()])
    [theirs] = add_events(db, agent, other, [clock.now() + timedelta(seconds=1)])
    page = services.audit_trail(customer_id=customer.id, before=theirs if before.startswith("another") else 10**9)
    assert ([e.id for e in page.items], page.older, page.is_newest) == ([mine], None, True)


def test_recent_access_for_the_customer(db, pair):
    agent, customer = pair
    clock.freeze()
    old = start(agent.id, customer.id)
    services.stop_acting(acting_session_id=old.id, why="stop", client_ip=None)
    clock.advance(days=100)
    recent = start(agent.id, customer.id)
    access = services.recent_access_for(customer.id)
    assert [(a.started_at, a.ended_at) for a in access] == [(recent.started_at, None)]


def test_starting_to_act_marks_when_the_customer_was_accessed(db, pair):
    agent, customer = pair
    clock.freeze()
    assert customer.service_accessed_at is None
    acting = start(agent.id, customer.id)
    db.session.expire_all()
    assert db.session.get(User, customer.id).service_accessed_at == acting.started_at
    assert db.session.get(User, agent.id).service_accessed_at is None


def test_refused_start_leaves_the_mark_unset(db, pair):
    agent, customer = pair
    with pytest.raises(PermissionDenied):
        start(agent.id, customer.id, reason="  ")
    db.session.expire_all()
    assert db.session.get(User, customer.id).service_accessed_at is None


def test_access_notice_follows_the_mark(db, pair):
    agent, customer = pair
    clock.freeze()
    acting = start(agent.id, customer.id)
    services.stop_acting(acting_session_id=acting.id, why="stop", client_ip=None)
    accessed_at = db.session.get(User, customer.id).service_accessed_at
    notice = services.access_notice_for(user_id=customer.id, service_accessed_at=accessed_at)
    assert [(a.started_at, a.ended_at) for a in notice] == [(acting.started_at, acting.started_at)]
    assert services.access_notice_for(user_id=customer.id, service_accessed_at=None) == []
    clock.advance(days=90, seconds=1)
    assert services.access_notice_for(user_id=customer.id, service_accessed_at=accessed_at) == []
    assert services.recent_access_for(customer.id) == []


def test_demo_seed_is_idempotent(db):
    from portal.agents.demo import seed_demo

    assert seed_demo() == 30
    assert seed_demo() == 0
    customers = db.session.execute(select(User).where(User.email.like("customer%@example.com"))).scalars().all()
    assert len(customers) == 30
    assert sum(not c.is_active for c in customers) == 1
    assert services.search_customers(query="0532 000 00 07").items[0].email == "customer07@example.com"
