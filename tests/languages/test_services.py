from sqlalchemy import select

from portal.accounts.models import User
from portal.languages.services import save_language


def test_save_language_stores_the_code(db, make_user):
    user = make_user(language_code="en")
    save_language(user_id=user.id, language_code="tr")
    db.session.expire_all()
    assert db.session.execute(select(User.language_code).where(User.id == user.id)).scalar_one() == "tr"


def test_save_language_for_a_vanished_user_changes_nothing(db, make_user):
    user = make_user(language_code="en")
    save_language(user_id=user.id + 1000, language_code="tr")
    assert db.session.execute(select(User.language_code).where(User.id == user.id)).scalar_one() == "en"
