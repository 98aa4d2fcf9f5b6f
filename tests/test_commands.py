from sqlalchemy import func, select

from portal.accounts.models import User


def test_seed_demo_is_idempotent_and_demo_accounts_log_in(app, runner, db):
    def user_count():
        return db.session.scalar(select(func.count()).select_from(User))

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = user_count()
    assert first >= 3
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert user_count() == first
    demo = db.session.scalar(select(User).where(User.email == "demo@example.com"))
    assert (demo.first_name, demo.last_name, demo.phone, demo.role) == ("Demo", "Customer", "+905551112233", "customer")
    assert (demo.email_allowed, demo.sms_allowed, demo.call_allowed) == (False, False, False)
    for email, password in [
        ("demo@example.com", "portal-demo-2026"),
        ("agent@example.com", "portal-agent-2026"),
        ("admin@example.com", "portal-admin-2026"),
    ]:
        response = app.test_client().post("/users/login/", json={"email": email, "password": password})
        assert response.status_code == 200, email
