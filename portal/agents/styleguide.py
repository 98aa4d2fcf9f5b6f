"""Style guide entries for the customer-service console: search and the customer page."""

from __future__ import annotations

from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from portal.agents.forms import ActForm, ResetLinkForm, SearchForm
from portal.agents.models import AuditEvent
from portal.agents.services import LoyaltyStatus, SearchPage, SegmentStatus, TrailPage
from portal.privacy.forms import EraseCustomerForm
from portal.styleguide import entry, fixtures


def _search(q: str = "", items=None, total: int = 0, page: int = 1, capped: bool = False) -> dict:
    form = SearchForm(formdata=MultiDict({"q": q} if q else {}))
    form.validate()
    results = None if items is None else SearchPage(items=items, page=page, per_page=20, total=total, capped=capped)
    return {"current_user": fixtures.agent(), "form": form, "results": results}


@entry("agents/search.html", "empty", logged_in=True, note="Before a search.")
def search_empty():
    return _search()


@entry("agents/search.html", "search results", logged_in=True, note="Page 2 of 3, so both page links show.")
def search_results():
    items = [
        fixtures.customer(),
        fixtures.customer(id=5, email="ayse.kaya@example.com", last_name="Kaya", phone=None, is_active=False),
    ]
    return _search("ayşe", items, total=42, page=2)


@entry("agents/search.html", "capped count", logged_in=True, note="More matches than are counted: 1,000+.")
def search_capped():
    return _search("yılmaz", [fixtures.customer()], total=1000, capped=True)


@entry("agents/search.html", "no results", logged_in=True)
def search_no_results():
    return _search("nobody", [], total=0)


@entry("agents/search.html", "field errors", logged_in=True, note="A query over 100 characters.")
def search_errors():
    return _search("x" * 101)


def _audit_trail() -> list[AuditEvent]:
    rows = [
        (5, "stop", {"why": "stop"}, datetime(2026, 5, 3, 14, 12, tzinfo=UTC)),
        (
            4,
            "write",
            {"method": "POST", "endpoint": "profile.profile", "path": "/account/profile", "status": 403},
            datetime(2026, 5, 3, 14, 9, tzinfo=UTC),
        ),
        (
            3,
            "write",
            {"method": "POST", "endpoint": "profile.profile", "path": "/account/profile", "status": 302},
            datetime(2026, 5, 3, 14, 7, tzinfo=UTC),
        ),
        (
            2,
            "write",
            {
                "method": "POST",
                "endpoint": "profile.consents",
                "path": "/account/consents",
                "status": 302,
                "consents": [
                    {"id": 7, "channel": "sms", "granted": False, "by_code": False, "call_reference": "CALL-8"}
                ],
            },
            datetime(2026, 5, 3, 14, 5, tzinfo=UTC),
        ),
        (1, "start", {"ends_at": "2026-05-03T14:30:00+00:00"}, datetime(2026, 5, 3, 14, 0, tzinfo=UTC)),
    ]
    return [
        AuditEvent(
            id=i,
            agent_id=2,
            customer_id=1,
            action=action,
            reason="Ticket 4821",
            client_ip="203.0.113.7",
            details=details,
            created_at=when,
        )
        for i, action, details, when in rows
    ]


def _customer(
    customer=None,
    *,
    act_form=None,
    history=None,
    trail=(),
    older=None,
    is_newest=True,
    segment=None,
    loyalty=None,
    erase_form=None,
) -> dict:
    customer = customer or fixtures.customer()
    return {
        "current_user": fixtures.agent(),
        "customer": customer,
        "act_form": act_form or ActForm(formdata=None),
        "reset_form": ResetLinkForm(formdata=None),
        "trail": TrailPage(items=list(trail), older=older, is_newest=is_newest),
        "agent_names": {2: "Can Demir"},
        "consent_history": history,
        "segment": segment,
        "loyalty": loyalty,
        "erase_form": erase_form or EraseCustomerForm(formdata=None),
    }


@entry(
    "agents/customer.html",
    "customer page",
    logged_in=True,
    note="Consent history, segment, an active loyalty card and the audit trail.",
)
def customer_full():
    return _customer(
        history=fixtures.consent_records(),
        trail=_audit_trail(),
        segment=SegmentStatus(segment="Gold", price_list="Gold prices"),
        loyalty=LoyaltyStatus(
            status="active",
            card_number="6001 2345 6789",
            card_status="ACTIVE",
            last_synced_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
        ),
    )


@entry(
    "agents/customer.html",
    "older audit events",
    logged_in=True,
    note="A later page of a long audit trail: links to the newest and to older events.",
)
def customer_trail_page():
    return _customer(history=[], trail=_audit_trail(), older=1, is_newest=False)


@entry(
    "agents/customer.html",
    "empty",
    logged_in=True,
    note="A new customer: no history, no segment available, no card; segment and loyalty not known yet.",
)
def customer_empty():
    return _customer(history=[], segment=None, loyalty=None)


@entry("agents/customer.html", "no segments", logged_in=True, note="No segment available; loyalty card pending.")
def customer_no_segments():
    return _customer(
        history=[],
        segment=SegmentStatus(segment=None, price_list=None),
        loyalty=LoyaltyStatus(status="pending", card_number=None, card_status=None, last_synced_at=None),
    )


@entry("agents/customer.html", "field errors", logged_in=True, note="Act as the customer without a reason.")
def customer_act_errors():
    return _customer(act_form=fixtures.submitted(ActForm, {"reason": ""}), history=[])


@entry("agents/customer.html", "inactive customer", logged_in=True)
def customer_inactive():
    return _customer(fixtures.customer(is_active=False), history=None)


@entry("agents/customer.html", "deletion without a reason", logged_in=True, note="Delete the account without a reason.")
def customer_erase_errors():
    return _customer(erase_form=fixtures.submitted(EraseCustomerForm, {"erase_reason": ""}), history=[])


@entry("agents/customer.html", "deleted customer", logged_in=True, note="The account was erased (docs/privacy.md).")
def customer_erased():
    erased = fixtures.customer(
        is_active=False,
        first_name="",
        last_name="",
        email="erased-1@invalid",
        phone=None,
        date_of_birth=None,
        erased_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
    )
    return _customer(erased, history=fixtures.consent_records())
