"""What the demo's patients say and where they live: CSAT comments in their language, their time
zone by country, and the price ranges of the clinic's treatments (EUR)."""

from __future__ import annotations

CSAT_COMMENTS = {
    "de": {
        5: "Sehr freundlich und kompetent, vielen Dank!",
        4: "Gute Beratung, alles verständlich erklärt.",
        3: "In Ordnung, aber ich musste lange warten.",
        2: "Ich habe noch keine klare Preisangabe bekommen.",
        1: "Niemand hat mich wie versprochen zurückgerufen.",
    },
    "en": {
        5: "Very friendly and helpful, thank you!",
        4: "Good advice, everything explained clearly.",
        3: "Fine, but the call was a bit rushed.",
        2: "I still don't have a clear price.",
        1: "Nobody called me back as promised.",
    },
    "ar": {
        5: "خدمة ممتازة وتعامل راقٍ، شكراً جزيلاً",
        4: "استشارة جيدة وشرح واضح",
        3: "جيد، لكن الانتظار كان طويلاً",
        2: "لم أحصل على سعر واضح بعد",
        1: "لم يتصل بي أحد كما وعدوا",
    },
    "ru": {
        5: "Очень вежливо и профессионально, спасибо!",
        4: "Хорошая консультация, всё понятно объяснили.",
        3: "Нормально, но пришлось долго ждать.",
        2: "Так и не получил точную цену.",
        1: "Мне так и не перезвонили.",
    },
    "fr": {
        5: "Très aimable et compétent, merci beaucoup !",
        4: "Bons conseils, tout a été bien expliqué.",
        3: "Correct, mais l'attente était longue.",
        2: "Je n'ai toujours pas de prix clair.",
        1: "Personne ne m'a rappelé comme promis.",
    },
    "tr": {
        5: "Çok ilgili ve yardımseverdiniz, teşekkürler!",
        4: "İyi bir danışmanlık, her şey açıktı.",
        3: "İdare eder, ama uzun süre bekledim.",
        2: "Hâlâ net bir fiyat alamadım.",
        1: "Söz verildiği halde kimse geri aramadı.",
    },
}

PATIENT_ZONES = {
    "DE": "Europe/Berlin", "AT": "Europe/Vienna", "CH": "Europe/Zurich",
    "GB": "Europe/London", "IE": "Europe/Dublin", "US": "America/New_York",
    "SA": "Asia/Riyadh", "AE": "Asia/Dubai", "KW": "Asia/Kuwait", "RU": "Europe/Moscow",
    "KZ": "Asia/Almaty", "UA": "Europe/Kyiv", "FR": "Europe/Paris", "BE": "Europe/Brussels",
    "NL": "Europe/Amsterdam", "IT": "Europe/Rome", "TR": "Europe/Istanbul",
}  # fmt: skip
"""The demo's markets (services/demo.py MARKETS) and the zone a patient there keeps."""

PRICES = {
    "hair_transplant": (1800, 4200),
    "dental": (2500, 9000),
    "aesthetic": (3000, 7500),
    "bariatric": (4500, 8500),
    "eye": (1500, 3500),
}
"""A package's price range per treatment (EUR), from the clinics' public price lists."""

BUDGET_RANGES = ((2500, "under_2500"), (5000, "2500_to_5000"), (10000, "5000_to_10000"))
OVER_BUDGET = "over_10000"


def budget_range(amount: float) -> str:
    """The demo's `budget_range` choice an amount falls in."""
    return next((key for limit, key in BUDGET_RANGES if amount < limit), OVER_BUDGET)


def csat_comment(language: str | None, score: int) -> str:
    return CSAT_COMMENTS.get(language or "en", CSAT_COMMENTS["en"])[score]
