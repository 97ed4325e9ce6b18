"""API tokens, web forms, the audit log and dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver
from leadflow.storage.tables import ApiToken, AuditEntry, DeadLetter, WebForm


class TokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, name: str, token_hash: str, prefix: str, scopes: list[str]) -> ApiToken:
        token = ApiToken(name=name, token_hash=token_hash, prefix=prefix, scopes=scopes)
        self.session.add(token)
        await self.session.flush()
        return token

    async def by_name(self, name: str) -> ApiToken | None:
        statement = select(ApiToken).where(ApiToken.name == name)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def live_token(self, token_hash: str) -> tuple[str, list[str]] | None:
        """The name and scopes of the unrevoked token with `token_hash` (every API call asks:
        plain SQL)."""
        connection = await driver(self.session)
        cursor = await connection.execute(
            "SELECT name, scopes FROM api_tokens WHERE token_hash = %s AND revoked_at IS NULL",
            (token_hash,),
        )
        row = await cursor.fetchone()
        return (row[0], list(row[1])) if row else None

    async def all(self) -> list[ApiToken]:
        return list((await self.session.execute(select(ApiToken).order_by(ApiToken.id))).scalars())

    async def mark_used(self, token_hash: str, at: datetime, *, since: datetime) -> None:
        """The token was used at `at`; written only when its last use is older than `since`
        (other server processes may have written it already)."""
        connection = await driver(self.session)
        await connection.execute(
            "UPDATE api_tokens SET last_used_at = %s WHERE token_hash = %s"
            " AND (last_used_at IS NULL OR last_used_at < %s)",
            (at, token_hash, since),
        )

    async def revoke(self, name: str, at: datetime) -> bool:
        result = await self.session.execute(
            update(ApiToken)
            .where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class FormRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> WebForm | None:
        return await self.session.get(WebForm, key)

    async def add(self, form: WebForm) -> None:
        self.session.add(form)
        await self.session.flush()

    async def all(self) -> list[WebForm]:
        return list((await self.session.execute(select(WebForm).order_by(WebForm.key))).scalars())

    async def count_refusal(self, key: str, column: str) -> None:
        """One more refused post of the form (`refused_spam`, `refused_origin`,
        `refused_rate`): one statement, no row read first."""
        if column not in ("refused_spam", "refused_origin", "refused_rate"):
            raise ValueError(f"not a refusal counter: {column}")
        counter = getattr(WebForm, column)
        await self.session.execute(
            update(WebForm).where(WebForm.key == key).values({counter: counter + 1})
        )


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self, *, actor: str, action: str, entity: str, entity_id: str, detail: dict[str, Any]
    ) -> None:
        self.session.add(
            AuditEntry(
                actor=actor, action=action, entity=entity, entity_id=entity_id, detail=detail
            )
        )
        await self.session.flush()

    async def recent(self, limit: int = 100) -> list[AuditEntry]:
        statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())


class DeadLetterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        endpoint: str,
        content_type: str | None,
        headers: dict[str, Any],
        body: bytes,
        reason: str,
    ) -> int:
        letter = DeadLetter(
            endpoint=endpoint, content_type=content_type, headers=headers, body=body, reason=reason
        )
        self.session.add(letter)
        await self.session.flush()
        return letter.id

    async def get(self, letter_id: int, *, for_update: bool = False) -> DeadLetter | None:
        statement = select(DeadLetter).where(DeadLetter.id == letter_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def listing(self, status: str | None = None, limit: int = 100) -> list[DeadLetter]:
        statement = select(DeadLetter).order_by(DeadLetter.id.desc()).limit(limit)
        if status:
            statement = statement.where(DeadLetter.status == status)
        return list((await self.session.execute(statement)).scalars())
