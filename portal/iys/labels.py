"""How the consent history names a change that came from İYS (its ``iys_source``)."""

from flask_babel import lazy_gettext as _l

# İYS's own channels, where a citizen gives or refuses a consent without the sender.
IYS_SOURCE_LABELS = {
    "iys": _l("İYS"),
    "IYS_WEB": _l("İYS web site"),
    "IYS_MOBIL": _l("İYS mobile app"),
    "IYS_EDEVLET": _l("İYS via e-Devlet"),
    "IYS_KISA_MESAJ": _l("İYS by SMS to 3338"),
    "IYS_CAGRI_MERKEZI": _l("İYS call centre"),
}
