"""Style guide entries for the profile page."""

from portal.styleguide import entry, fixtures


@entry("profile/profile.html", "complete", logged_in=True)
def profile_complete():
    return {"user": fixtures.customer()}


@entry("profile/profile.html", "empty", logged_in=True, note="A customer who has not given a name.")
def profile_empty():
    user = fixtures.customer(first_name="", last_name="")
    return {"user": user, "current_user": user}
