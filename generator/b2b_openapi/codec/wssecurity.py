"""WS-Security X.509 signatures on SOAP envelopes, as CAISO's B2B services expect them.

What CAISO checks on every request (its reference library ``caisob2blib.py`` ``sign`` /
``_sign_node`` / ``create_key_info_bst``, see ``docs/gateway.md``): a ``wsse:Security`` header
(WS-Security 1.0, OASIS 2004 namespaces) holding a ``BinarySecurityToken`` (X509v3 token
profile, Base64Binary) and a ``ds:Signature`` whose SignedInfo and references use exclusive
C14N, RSA-SHA1 with SHA-1 digests, one reference by ``wsu:Id`` per signed part: the SOAP Body,
the token, the ``CAISOWSHeader`` and, when present, ``attachmentHash`` and
``standardAttachmentInfor``; ``KeyInfo/SecurityTokenReference/Reference`` points at the token.
CAISO's library adds no ``wsu:Timestamp`` and no ``mustUnderstand``; neither do we.

All XML signature work (canonicalisation, digests, RSA) is libxmlsec1's, through
python-xmlsec as CAISO's own client does.  The only other place canonical XML is produced is
the failure diagnosis (:func:`_tampered_parts`), by lxml's C14N, to name the part that changed.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xmlsec
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree
from xmlsec import constants as xc

from b2b_openapi.codec.attachments import ATTACHMENT_HASH_NS, ATTACHMENT_INFO_NS
from b2b_openapi.codec.soap import CAISO_HEADER_NS, SOAP_ENV, SoapError, envelope_root

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_WSS = "http://docs.oasis-open.org/wss/2004/01/"
WSSE_NS = _WSS + "oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = _WSS + "oasis-200401-wss-wssecurity-utility-1.0.xsd"
BASE64_BINARY = _WSS + "oasis-200401-wss-soap-message-security-1.0#Base64Binary"
X509V3 = _WSS + "oasis-200401-wss-x509-token-profile-1.0#X509v3"

BODY = "Body"
TOKEN = "BinarySecurityToken"
CAISO_HEADER = "CAISOWSHeader"
ATTACHMENT_HASH = "attachmentHash"
ATTACHMENT_INFO = "standardAttachmentInfor"
TIMESTAMP = "Timestamp"
# header blocks signed when present, in the order CAISO's library adds their references
_SIGNED_HEADERS = ((CAISO_HEADER_NS, CAISO_HEADER), (ATTACHMENT_HASH_NS, ATTACHMENT_HASH),
                   (ATTACHMENT_INFO_NS, ATTACHMENT_INFO))
_PARTS = {f"{{{ns}}}{name}": name for ns, name in _SIGNED_HEADERS} | {
    f"{{{SOAP_ENV}}}Body": BODY, f"{{{WSSE_NS}}}BinarySecurityToken": TOKEN,
    f"{{{WSU_NS}}}Timestamp": TIMESTAMP}
# what CAISO requires of a request; a response need only cover its Body and attachment headers
REQUEST_PARTS = frozenset({BODY, TOKEN, CAISO_HEADER})
RESPONSE_PARTS = frozenset({BODY})
_ID = f"{{{WSU_NS}}}Id"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class Algorithm(enum.Enum):
    """Signature and digest algorithm pairs: CAISO's clients use RSA-SHA1 with SHA-1 digests."""

    RSA_SHA1 = ("http://www.w3.org/2000/09/xmldsig#rsa-sha1",
                "http://www.w3.org/2000/09/xmldsig#sha1")
    RSA_SHA256 = ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                  "http://www.w3.org/2001/04/xmlenc#sha256")

    @property
    def signature_uri(self) -> str:
        return self.value[0]

    @property
    def digest_uri(self) -> str:
        return self.value[1]

    def transforms(self) -> tuple[Any, Any]:
        if self is Algorithm.RSA_SHA1:
            return xc.TransformRsaSha1, xc.TransformSha1
        return xc.TransformRsaSha256, xc.TransformSha256

    @classmethod
    def named(cls, name: str) -> Algorithm:
        """``rsa-sha1`` or ``rsa-sha256`` (the option and environment variable values)."""
        try:
            return cls[name.strip().upper().replace("-", "_")]
        except KeyError:
            raise ValueError(f"signature algorithm {name!r} is not rsa-sha1 or rsa-sha256") \
                from None


_DIGESTS = {"http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
            "http://www.w3.org/2001/04/xmlenc#sha256": "sha256"}
_SIGNATURE_METHODS = {a.signature_uri for a in Algorithm}


class WsSecurityError(ValueError):
    """A certificate, key or envelope that cannot be signed or does not verify; the message is
    the reason, one line, fit to show a caller."""


@dataclass(frozen=True)
class SigningIdentity:
    """A participant's certificate and private key (the key as unencrypted PKCS#8 PEM, held in
    memory only: xmlsec and the TLS client load it from here)."""

    certificate: x509.Certificate
    key_pem: bytes

    @classmethod
    def from_pem(cls, cert: bytes, key: bytes, password: bytes | None = None) -> SigningIdentity:
        try:
            certificate = x509.load_pem_x509_certificate(cert)
        except ValueError:
            raise WsSecurityError("the client certificate is not a PEM X.509 certificate") \
                from None
        try:
            private = _pem_key(key, password)
        except (ValueError, TypeError) as exc:
            raise WsSecurityError(f"the client key cannot be read: {exc}") from None
        return cls._checked(certificate, private)

    @classmethod
    def from_pkcs12(cls, data: bytes, password: bytes | None) -> SigningIdentity:
        """The PKCS#12/PFX file as CAISO issues it."""
        try:
            private, certificate, _ = pkcs12.load_key_and_certificates(data, password)
        except (ValueError, TypeError) as exc:
            raise WsSecurityError(f"the PKCS#12 file cannot be opened (wrong password?): "
                                  f"{exc}") from None
        if private is None or certificate is None:
            raise WsSecurityError("the PKCS#12 file holds no private key and certificate")
        return cls._checked(certificate, private)

    @classmethod
    def _checked(cls, certificate: x509.Certificate, private: Any) -> SigningIdentity:
        spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if private.public_key().public_bytes(*spki) != \
                certificate.public_key().public_bytes(*spki):
            raise WsSecurityError("the client key does not belong to the client certificate")
        return cls(certificate, private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def __repr__(self) -> str:  # never the key
        return f"SigningIdentity({self.certificate.subject.rfc4514_string()!r})"


def _pem_key(key: bytes, password: bytes | None) -> Any:
    """A PEM private key; a password given for a key that is not encrypted is not needed
    (one password setting serves a PKCS#12 file and a PEM pair alike)."""
    try:
        return serialization.load_pem_private_key(key, password)
    except TypeError:
        if password is None:
            raise
        return serialization.load_pem_private_key(key, None)


def caiso_username(certificate: x509.Certificate) -> str:
    """The CAISOWSHeader Username for a certificate: its subject as CAISO's .NET clients write
    it (``CaisoClientMessageInspector.cs`` ``NormalizeSubject``): most specific attribute first,
    the CN as written, blanks removed from the rest, OID 2.5.4.5 named ``SerialNumber``."""
    parts = [attribute.rfc4514_string({NameOID.SERIAL_NUMBER: "SerialNumber"})
             for rdn in reversed(certificate.subject.rdns) for attribute in rdn]
    if not parts:
        return ""
    return ",".join([parts[0], *(p.replace(" ", "") for p in parts[1:])])


def _ensure_id(node: Any) -> str:
    value = node.get(_ID)
    if not value:
        value = f"id-{uuid.uuid4()}"
        node.set(_ID, value)
    return str(value)


def _parse(envelope: bytes) -> Any:
    try:
        return envelope_root(envelope, _PARSER)
    except SoapError as exc:
        raise WsSecurityError(str(exc)) from None


def sign(envelope: bytes, identity: SigningIdentity,
         algorithm: Algorithm = Algorithm.RSA_SHA1) -> bytes:
    """``envelope`` with a ``wsse:Security`` header signing the Body, the token and the
    CAISO header blocks present (see the module docstring)."""
    root = _parse(envelope)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise WsSecurityError("the SOAP envelope has no Body to sign")
    header = root.find(f"{{{SOAP_ENV}}}Header")
    if header is None:
        header = etree.Element(f"{{{SOAP_ENV}}}Header")
        root.insert(0, header)
    security = header.find(f"{{{WSSE_NS}}}Security")
    if security is None:
        security = etree.Element(f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS})
        header.insert(0, security)
    token = etree.Element(f"{{{WSSE_NS}}}BinarySecurityToken", nsmap={"wsu": WSU_NS},
                          EncodingType=BASE64_BINARY, ValueType=X509V3)
    token.text = base64.b64encode(identity.certificate_der).decode("ascii")
    sign_method, digest_method = algorithm.transforms()
    signature = xmlsec.template.create(root, xc.TransformExclC14N, sign_method,
                                       ns="ds")
    security.insert(0, signature)
    security.insert(0, token)  # the token first, then the signature (as CAISO's library)
    ctx = xmlsec.SignatureContext()
    targets = [body, token, *(header.find(f"{{{ns}}}{name}") for ns, name in _SIGNED_HEADERS)]
    for target in targets:
        if target is None:
            continue
        reference = xmlsec.template.add_reference(signature, digest_method,
                                                  uri="#" + _ensure_id(target))
        xmlsec.template.add_transform(reference, xc.TransformExclC14N)
        ctx.register_id(target, "Id", WSU_NS)
    try:
        ctx.key = xmlsec.Key.from_memory(identity.key_pem, xc.KeyDataFormatPem, None)
        ctx.sign(signature)
    except xmlsec.Error as exc:
        raise WsSecurityError(f"signing failed: {exc}") from None
    # KeyInfo after signing, as CAISO's library: xmlsec does not write WS-Security tokens
    key_info = etree.SubElement(signature, f"{{{DS_NS}}}KeyInfo")
    reference_holder = etree.SubElement(key_info, f"{{{WSSE_NS}}}SecurityTokenReference",
                                        nsmap={"wsse": WSSE_NS})
    reference_holder.set(f"{{{WSSE_NS}}}TokenType", X509V3)
    etree.SubElement(reference_holder, f"{{{WSSE_NS}}}Reference", URI="#" + _ensure_id(token),
                     ValueType=X509V3)
    signed: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return signed


@dataclass(frozen=True)
class Trust:
    """Who may sign: certificates trusted as they are, and CAs whose direct issue is trusted
    (a CA bundle holds both kinds; a self-signed certificate given alone is pinned)."""

    anchors: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem(cls, data: bytes, source: str = "the trust bundle") -> Trust:
        try:
            anchors = tuple(x509.load_pem_x509_certificates(data))
        except ValueError:
            raise WsSecurityError(f"{source} holds no PEM certificate") from None
        return cls(anchors)

    @classmethod
    def from_file(cls, path: Path) -> Trust:
        try:
            return cls.from_pem(path.read_bytes(), str(path))
        except OSError as exc:
            raise WsSecurityError(f"{path}: {exc.strerror}") from None

    def check(self, certificate: x509.Certificate, now: dt.datetime | None = None) -> None:
        """Raise :class:`WsSecurityError` unless ``certificate`` is valid now and is an anchor
        or was issued (signature checked by ``cryptography``) by one that is valid now."""
        now = now or dt.datetime.now(dt.UTC)
        _check_validity(certificate, now, "the signing certificate")
        if any(certificate == anchor for anchor in self.anchors):
            return
        for anchor in self.anchors:
            if anchor.subject != certificate.issuer:
                continue
            try:
                certificate.verify_directly_issued_by(anchor)
            except (ValueError, TypeError, InvalidSignature):
                continue
            _check_validity(anchor, now, f"the issuing CA {anchor.subject.rfc4514_string()}")
            return
        raise WsSecurityError(
            f"the signing certificate {certificate.subject.rfc4514_string()} is not trusted: "
            f"its issuer {certificate.issuer.rfc4514_string()} is not in the trust bundle")


def _check_validity(certificate: x509.Certificate, now: dt.datetime, what: str) -> None:
    if now < certificate.not_valid_before_utc:
        raise WsSecurityError(f"{what} is not valid before {certificate.not_valid_before_utc}")
    if now > certificate.not_valid_after_utc:
        raise WsSecurityError(f"{what} expired on {certificate.not_valid_after_utc}")


@dataclass(frozen=True)
class Verified:
    """A signature that verified: who signed, and which parts it covers (names as above)."""

    certificate: x509.Certificate
    covered: frozenset[str]
    algorithm: str


def verify(envelope: bytes, trust: Trust, required: Iterable[str] = REQUEST_PARTS,
           now: dt.datetime | None = None) -> Verified:
    """Check the envelope's WS-Security signature: it verifies with the key of the token (or
    X509Data certificate) it names, that certificate is trusted, and the signature covers
    ``required`` plus every CAISO attachment header present.  Raises
    :class:`WsSecurityError` naming the first reason it does not."""
    root = _parse(envelope)
    header = root.find(f"{{{SOAP_ENV}}}Header")
    security = header.find(f"{{{WSSE_NS}}}Security") if header is not None else None
    if security is None:
        raise WsSecurityError("the envelope is not signed (no wsse:Security header)")
    signature = security.find(f"{{{DS_NS}}}Signature")
    if signature is None:
        raise WsSecurityError("the wsse:Security header holds no ds:Signature")
    ids = _ids(root)
    signed_info = _child(signature, "SignedInfo")
    _check_methods(signed_info)
    references = [(r, _referenced(r, ids)) for r in signed_info.findall(f"{{{DS_NS}}}Reference")]
    if not references:
        raise WsSecurityError("the signature has no references")
    covered = frozenset(_part(root, element) for _, element in references) - {""}
    present = {name for ns, name in _SIGNED_HEADERS[1:]
               if header is not None and header.find(f"{{{ns}}}{name}") is not None}
    missing = sorted((set(required) | present) - covered)
    if missing:
        raise WsSecurityError(f"the signature does not cover {', '.join(missing)}")
    certificate = _signing_certificate(signature, ids)
    trust.check(certificate, now)
    ctx = xmlsec.SignatureContext()
    for _, element in references:
        ctx.register_id(element, "Id", WSU_NS)
    try:
        ctx.key = xmlsec.Key.from_memory(
            certificate.public_bytes(serialization.Encoding.DER), xc.KeyDataFormatCertDer,
            None)
        ctx.verify(signature)
    except xmlsec.Error:
        tampered = _tampered_parts(root, references)
        if tampered:
            raise WsSecurityError(f"the digest of {', '.join(tampered)} does not match: "
                                  "changed after signing") from None
        raise WsSecurityError("the SignatureValue does not verify with the certificate's "
                              "key (SignedInfo changed, or signed with another key)") from None
    method = _child(signed_info, "SignatureMethod").get("Algorithm", "")
    return Verified(certificate, covered, method)


def _child(parent: Any, name: str) -> Any:
    child = parent.find(f"{{{DS_NS}}}{name}")
    if child is None:
        raise WsSecurityError(f"the signature has no ds:{name}")
    return child


def _check_methods(signed_info: Any) -> None:
    c14n = _child(signed_info, "CanonicalizationMethod").get("Algorithm")
    if c14n != EXC_C14N:
        raise WsSecurityError(f"SignedInfo is canonicalised with {c14n}, not exclusive C14N")
    method = _child(signed_info, "SignatureMethod").get("Algorithm")
    if method not in _SIGNATURE_METHODS:
        raise WsSecurityError(f"signature method {method} is not RSA-SHA1 or RSA-SHA256")


def _ids(root: Any) -> dict[str, Any]:
    """Elements by ``wsu:Id``; an Id given twice is refused (a signature-wrapping attack moves
    the signed element and plants another with its Id)."""
    ids: dict[str, Any] = {}
    for element in root.iter():
        value = element.get(_ID) if isinstance(element.tag, str) else None
        if value is None:
            continue
        if value in ids:
            raise WsSecurityError(f"wsu:Id {value!r} is given to more than one element")
        ids[value] = element
    return ids


def _referenced(reference: Any, ids: dict[str, Any]) -> Any:
    uri = reference.get("URI", "")
    if not uri.startswith("#"):
        raise WsSecurityError(f"reference {uri!r} is not a same-document #Id reference")
    element = ids.get(uri[1:])
    if element is None:
        raise WsSecurityError(f"reference {uri!r} names no element with that wsu:Id")
    transforms = [t.get("Algorithm") for t in reference.iterfind(
        f"{{{DS_NS}}}Transforms/{{{DS_NS}}}Transform")]
    if transforms != [EXC_C14N]:
        raise WsSecurityError(f"reference {uri!r} is not transformed by exclusive C14N alone")
    digest = reference.find(f"{{{DS_NS}}}DigestMethod")
    if digest is None or digest.get("Algorithm") not in _DIGESTS:
        raise WsSecurityError(f"reference {uri!r} is not digested with SHA-1 or SHA-256")
    return element


def _part(root: Any, element: Any) -> str:
    """The name of a signed part where it must be: the Body of this envelope, a header block,
    the token in the Security header; elsewhere (a wrapped copy) nothing."""
    name = _PARTS.get(element.tag, "")
    parent = element.getparent()
    if name == BODY:
        return name if parent is root else ""
    if name in (TOKEN, TIMESTAMP):
        return name if parent is not None and parent.tag == f"{{{WSSE_NS}}}Security" else ""
    header = parent is not None and parent.tag == f"{{{SOAP_ENV}}}Header" \
        and parent.getparent() is root
    return name if header else ""


def _signing_certificate(signature: Any, ids: dict[str, Any]) -> x509.Certificate:
    """The certificate ``KeyInfo`` names: the token its SecurityTokenReference points at, or
    an X509Data certificate (zeep's plain Signature)."""
    key_info = _child(signature, "KeyInfo")
    reference = key_info.find(f"{{{WSSE_NS}}}SecurityTokenReference/{{{WSSE_NS}}}Reference")
    if reference is not None:
        token = ids.get(reference.get("URI", "").lstrip("#"))
        if token is None or token.tag != f"{{{WSSE_NS}}}BinarySecurityToken":
            raise WsSecurityError("KeyInfo references no BinarySecurityToken")
        if token.get("ValueType") != X509V3:
            raise WsSecurityError(f"the token is a {token.get('ValueType')}, not X509v3")
        text = token.text or ""
    else:
        found = key_info.find(f".//{{{DS_NS}}}X509Certificate")
        if found is None:
            raise WsSecurityError("KeyInfo names no X.509 certificate (a token reference or "
                                  "X509Data is needed)")
        text = found.text or ""
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join(text.split()),
                                                               validate=True))
    except ValueError:
        raise WsSecurityError("the signing certificate is not base64 DER X.509") from None


def _tampered_parts(root: Any, references: Sequence[tuple[Any, Any]]) -> list[str]:
    """After xmlsec refused the signature: the parts whose digest no longer matches (lxml's
    exclusive C14N, the reference's InclusiveNamespaces honoured), to name what changed."""
    tampered = []
    for reference, element in references:
        transform = reference.find(f"{{{DS_NS}}}Transforms/{{{DS_NS}}}Transform")
        inclusive = transform.find(f"{{{EXC_C14N}}}InclusiveNamespaces") \
            if transform is not None else None
        prefixes = (inclusive.get("PrefixList") or "").split() if inclusive is not None else []
        algorithm = _DIGESTS[reference.find(f"{{{DS_NS}}}DigestMethod").get("Algorithm")]
        canonical = etree.tostring(element, method="c14n", exclusive=True, with_comments=False,
                                   inclusive_ns_prefixes=prefixes or None)
        digest = base64.b64encode(hashlib.new(algorithm, canonical).digest()).decode()
        written = "".join((reference.findtext(f"{{{DS_NS}}}DigestValue") or "").split())
        if digest != written:
            tampered.append(_part(root, element) or f"#{element.get(_ID)}")
    return tampered
