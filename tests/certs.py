"""Throw-away X.509 material for TLS and WS-Security tests: a CA, a server certificate for
127.0.0.1, client certificates (one signed by the CA, one expired, one self-signed rogue), as PEM
and PKCS#12 files; EC keys, or RSA ones (``make_pki(folder, rsa=True)``: XML signatures as
CAISO makes them are RSA)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Key = CertificateIssuerPrivateKeyTypes


def _new_key(use_rsa: bool) -> Key:
    if use_rsa:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class Identity:
    cert: Path
    key: Path
    p12: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "b2b-openapi tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject: str, key: Key, issuer: x509.Name,
                 issuer_key: Key, *, ca: bool = False,
                 server: bool = False, expired: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - (dt.timedelta(days=3) if expired else dt.timedelta())
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
    elif server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    else:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, name: str, cert: x509.Certificate, key: Key,
           password: bytes) -> Identity:
    cert_path, key_path, p12_path = (folder / f"{name}.pem", folder / f"{name}.key",
                                     folder / f"{name}.p12")
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    p12_path.write_bytes(pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, None, serialization.BestAvailableEncryption(password)))
    return Identity(cert_path, key_path, p12_path)


@dataclass(frozen=True)
class Pki:
    ca: Path
    server: Identity
    client: Identity
    rogue: Identity
    expired: Identity
    password: str = "changeit"


def make_pki(folder: Path, rsa: bool = False) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = _new_key(rsa)
    ca_cert = _certificate("Test CA", ca_key, _name("Test CA"), ca_key, ca=True)
    ca_path = folder / "ca.pem"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    password = b"changeit"
    identities = {}
    for name, server, expired in (("server", True, False), ("client", False, False),
                                  ("expired", False, True)):
        key = _new_key(rsa)
        cert = _certificate(name, key, ca_cert.subject, ca_key, server=server, expired=expired)
        identities[name] = _write(folder, name, cert, key, password)
    rogue_key = _new_key(rsa)
    rogue = _certificate("rogue", rogue_key, _name("rogue"), rogue_key)
    return Pki(ca_path, identities["server"], identities["client"],
               _write(folder, "rogue", rogue, rogue_key, password), identities["expired"])
