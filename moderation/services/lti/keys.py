"""The tool's RSA keys: made, kept encrypted, published (/lti/jwks), rotated, used to sign.

The private part is a PKCS8 PEM encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from
cryptography) under a key derived (HKDF-SHA256) from `LTI_KEY_ENCRYPTION_KEY`, or from
`SECRET_KEY` when that is unset. A database dump alone never holds a usable private key.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import or_, select

from moderation.extensions import db
from moderation.models import LtiKey, utcnow
from moderation.services import audit
from moderation.services.errors import ServiceError

KEY_BITS = 2048
DEFAULT_GRACE_DAYS = 7


class KeyUnreadable(ServiceError):
    """The tool's private key cannot be decrypted with the configured encryption key."""

    status = 500


def _fernet() -> Fernet:
    """The cipher of private keys, from the configured key (any string; HKDF makes it 32 bytes)."""
    secret = current_app.config.get("LTI_KEY_ENCRYPTION_KEY") or current_app.config["SECRET_KEY"]
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"moderation lti tool private keys").derive(str(secret).encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _thumbprint(public_jwk: dict[str, Any]) -> str:
    """The RFC 7638 thumbprint of an RSA JWK: a kid that names the key itself."""
    canonical = json.dumps({k: public_jwk[k] for k in ("e", "kty", "n")},
                           separators=(",", ":"), sort_keys=True)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(canonical.encode())
    return base64.urlsafe_b64encode(digest.finalize()).rstrip(b"=").decode()


def create_key() -> LtiKey:
    """Make a new RSA key pair and store it (public as a JWK, private encrypted); flushed."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    public_jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    kid = _thumbprint(public_jwk)
    public_jwk.update(kid=kid, alg="RS256", use="sig")
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    key = LtiKey(kid=kid, public_jwk=public_jwk,
                 private_encrypted=_fernet().encrypt(pem).decode())
    db.session.add(key)
    db.session.flush()
    return key


def signing_key() -> LtiKey:
    """The key the tool signs with: the newest one not retiring (made if there is none)."""
    key = db.session.scalar(select(LtiKey).where(LtiKey.retire_at.is_(None))
                            .order_by(LtiKey.created_at.desc(), LtiKey.id.desc()).limit(1))
    return key if key is not None else create_key()


def ensure_key() -> LtiKey:
    """Make sure the tool has a key to sign with and publish; return it."""
    return signing_key()


def published(now: datetime | None = None) -> list[LtiKey]:
    """Every key /lti/jwks publishes: those not retired yet."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(LtiKey).where(or_(LtiKey.retire_at.is_(None), LtiKey.retire_at > now))
        .order_by(LtiKey.id)))


def jwks(now: datetime | None = None) -> dict[str, Any]:
    """The tool's public key set."""
    return {"keys": [dict(key.public_jwk) for key in published(now)]}


def private_key(key: LtiKey) -> rsa.RSAPrivateKey:
    """Decrypt a key's private part."""
    try:
        pem = _fernet().decrypt(key.private_encrypted.encode())
    except InvalidToken as error:
        raise KeyUnreadable(
            "The tool's private key cannot be decrypted: LTI_KEY_ENCRYPTION_KEY (or SECRET_KEY) "
            "changed since it was made. Run `moderation lti rotate-key` to make a new one.") \
            from error
    loaded = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def sign(claims: dict[str, Any]) -> str:
    """Sign claims as an RS256 JWT with the current key, naming it by kid."""
    key = signing_key()
    return jwt.encode(claims, private_key(key), algorithm="RS256", headers={"kid": key.kid})


def rotate(grace: timedelta = timedelta(days=DEFAULT_GRACE_DAYS),
           now: datetime | None = None) -> tuple[LtiKey, list[LtiKey]]:
    """Add a key that signs from now on; the others retire after `grace` (still published)."""
    now = now or utcnow()
    retiring = list(db.session.scalars(select(LtiKey).where(LtiKey.retire_at.is_(None))))
    for key in retiring:
        key.retire_at = now + grace
    db.session.flush()
    new = create_key()
    audit.record("lti.key_rotated", actor=None, obj=new,
                 after={"kid": new.kid, "retiring": [k.kid for k in retiring],
                        "retire_at": (now + grace).isoformat()})
    return new, retiring
