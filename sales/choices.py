"""Enumerations shared by the models, forms and the API (values are the API contract)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("passport")
    VJW_QR = "vjw_qr", _("Visit Japan Web tax-free QR code")
    PERMIT_CRUISE = "landing_permit_cruise", _("cruise ship tourist landing permit (船舶観光上陸)")
    PERMIT_CREW = "landing_permit_crew", _("crew landing permit (乗員上陸)")
    PERMIT_EMERGENCY = "landing_permit_emergency", _("emergency landing permit (緊急上陸)")
    PERMIT_DISTRESS = "landing_permit_distress", _("landing permit for distress (遭難による上陸)")
    PERMIT_TRANSIT = "landing_permit_transit", _("transit landing permit (通過上陸)")
    PERMIT_PORT_OF_CALL = "landing_permit_port_of_call", _("port-of-call landing permit (寄港地上陸)")


class StatusOfResidence(models.TextChoices):
    TEMPORARY_VISITOR = "temporary_visitor", _("temporary visitor (短期滞在)")
    DIPLOMAT = "diplomat", _("diplomat (外交)")
    OFFICIAL = "official", _("official (公用)")
    SOFA = "sofa", _("US forces member (SOFA)")
    STUDENT = "student", _("student (留学)")
    WORKER = "worker", _("worker (就労)")
    DEPENDENT = "dependent", _("dependent (家族滞在)")
    OTHER = "other", _("other")


class ProofDocument(models.TextChoices):
    RESIDENCE_CERTIFICATE = "residence_certificate", _("certificate of residence abroad (在留証明)")
    FAMILY_REGISTER = "family_register_attachment", _("copy of the family register attachment (戸籍の附票の写し)")
    MY_NUMBER_CARD = "my_number_card", _("My Number card with the 国外転出 annotation")


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNSPECIFIED = "X", _("unspecified")


class TaxRate(models.TextChoices):
    STANDARD = "standard", _("standard (10 %)")
    REDUCED = "reduced", _("reduced (8 %)")


class Category(models.TextChoices):
    GENERAL = "general", _("general goods (一般物品)")
    CONSUMABLE = "consumable", _("consumables (消耗品)")


class LiquorCategory(models.TextChoices):
    BEER = "beer", _("beer")
    HAPPOSHU = "happoshu", _("happoshu")
    NEW_GENRE = "new_genre", _("former third beer")
    SAKE = "sake", _("sake")
    WINE = "wine", _("wine")
    CHUHAI = "chuhai", _("chuhai-type")
    SPIRITS = "spirits", _("distilled spirits")
    LIQUEUR = "liqueur", _("liqueur")


class Regime(models.TextChoices):
    LEGACY = "legacy", _("point-of-sale exemption (legacy)")
    REFUND = "refund", _("refund method")


class Packing(models.TextChoices):
    ALL_GENERAL = "all_general", _("all as general goods")
    ALL_CONSUMABLES = "all_consumables", _("all as consumables")
    SEPARATE = "separate", _("general and consumables packed separately")
    COMBINED = "combined_as_consumables", _("combined: all packed as consumables")


CUSTOMER_LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("ko", "한국어"),
    ("th", "ไทย"),
]
# The codes alone, as the API takes them (and the name its schema gives them).
CUSTOMER_LANGUAGE_CODES = [code for code, _name in CUSTOMER_LANGUAGES]
