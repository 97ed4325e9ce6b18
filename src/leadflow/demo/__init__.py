"""Demo data: the sample organisation's configuration file."""

from importlib import resources


def organisation_yaml() -> str:
    return resources.files(__name__).joinpath("organisation.yaml").read_text(encoding="utf-8")
