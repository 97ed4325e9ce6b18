"""Settings, read once from the environment (prefix LEADFLOW_) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MissingSecret(Exception):
    """No LEADFLOW_SECRET_KEY: sessions cannot be signed, so nothing serves."""

    def __init__(self) -> None:
        super().__init__(
            "LEADFLOW_SECRET_KEY is not set: it signs the session cookies. Set it to a long "
            "random value, the same for every server process (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADFLOW_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; unset starts an embedded server in data_dir",
    )
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str | None = Field(
        default=None,
        min_length=16,
        description="signs the session cookies and CSRF tokens; required (`leadflow serve` "
        "refuses to start without it, `leadflow demo` makes one in data_dir)",
    )
    session_max_age: int = Field(default=12 * 3600, gt=0, description="seconds a sign-in lasts")
    secure_cookies: bool = Field(
        default=False,
        description="send cookies over HTTPS only even when a request looks like plain HTTP "
        "(they are always Secure on HTTPS requests)",
    )
    trusted_proxies: str = Field(
        default="127.0.0.1",
        description="addresses (comma-separated, or *) whose X-Forwarded-For/-Proto headers "
        "uvicorn believes: the client address for sign-in throttling, HTTPS for Secure cookies",
    )
    language_confidence: float = Field(default=0.6, ge=0, le=1)
    db_pool_size: int = 10
    intake_gather_ms: float = Field(
        default=2.0,
        ge=0,
        le=50,
        description="under load, how long a batch of new leads waits for more before it is "
        "stored (a lead that finds its server process idle never waits); 0 turns it off",
    )
    form_posts_per_minute: int = Field(
        default=30, gt=0, description="website form posts one address may make per minute"
    )
    log_json: bool = False
    # notifications: e-mail goes out only when smtp_host is set
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Leadflow <leadflow@localhost>"
    smtp_starttls: bool = Field(
        default=True, description="upgrade the SMTP connection with STARTTLS (required if set)"
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    inbound_payload_days: int = Field(
        default=90,
        gt=0,
        description="days a vendor's raw delivery (personal data) is kept once processed; an "
        "hourly job blanks older ones (dead and waiting events keep theirs, for replay)",
    )
    run_worker_in_process: bool = Field(
        default=True,
        description="`serve` also runs the background worker; set false when `leadflow worker` "
        "processes run beside several server processes",
    )

    def session_secret(self) -> str:
        """The secret key; MissingSecret when there is none (never a built-in default)."""
        if self.secret_key is None:
            raise MissingSecret()
        return self.secret_key
