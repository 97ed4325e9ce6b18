from leadflow.identity import attribution_from_url, merge_attribution

LANDING = (
    "https://clinic.example/hair-transplant?utm_source=google&utm_medium=cpc"
    "&utm_campaign=hair%20DE+2025&gclid=Cj0KCQ&lang=de"
)


def test_utm_parameters_and_click_ids_come_from_the_landing_url() -> None:
    assert attribution_from_url(LANDING) == {
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "hair DE 2025",
        "gclid": "Cj0KCQ",
    }


def test_every_ad_platforms_click_id_is_kept() -> None:
    url = "https://x.example/?gbraid=G1&wbraid=W1&fbclid=F1&utm_content=c&utm_term=t"

    assert attribution_from_url(url) == {
        "gbraid": "G1",
        "wbraid": "W1",
        "fbclid": "F1",
        "utm_content": "c",
        "utm_term": "t",
    }


def test_parameter_names_match_in_any_case_and_the_first_value_wins() -> None:
    url = "https://x.example/?UTM_Source=meta&utm_source=google"

    assert attribution_from_url(url) == {"utm_source": "meta"}


def test_blank_parameters_are_missing() -> None:
    assert attribution_from_url("https://x.example/?utm_source=&utm_medium=%20") == {}


def test_landing_url_without_attribution_gives_none() -> None:
    assert attribution_from_url("https://x.example/page") == {}
    assert attribution_from_url(None) == {}


def test_unparseable_landing_url_gives_no_attribution_rather_than_an_error() -> None:
    assert attribution_from_url("http://[::1/?utm_source=google") == {}


def test_values_sent_in_the_body_win_over_the_landing_url() -> None:
    merged = merge_attribution({"utm_source": "meta", "utm_campaign": None}, LANDING)

    assert merged["utm_source"] == "meta"
    assert merged["utm_campaign"] == "hair DE 2025"


def test_blank_body_values_are_filled_from_the_landing_url() -> None:
    assert merge_attribution({"utm_medium": "  "}, LANDING)["utm_medium"] == "cpc"


def test_merged_attribution_holds_only_attribution_keys() -> None:
    merged = merge_attribution({"name": "Ayşe", "fbclid": "F1"}, None)

    assert merged == {"fbclid": "F1"}
