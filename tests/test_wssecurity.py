"""WS-Security signatures as CAISO expects them: what we sign verifies (in our verifier and in
zeep's, an independent python-xmlsec user), what zeep signs verifies in ours, and every kind of
tampering, wrapping or untrusted key is refused with its reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.etree import ElementTree

import pytest
from lxml import etree
from zeep.wsse import signature as zeep_signature

from b2b_openapi.codec import soap
from b2b_openapi.codec import wssecurity as wss
from certs import Pki

ATTACHMENT_HASH = f"{{{wss.ATTACHMENT_HASH_NS}}}attachmentHash"


@pytest.fixture(scope="module")
def trust(pki: Pki) -> wss.Trust:
    return wss.Trust.from_file(pki.ca)


def request_envelope(attachment_hash: bool = False) -> bytes:
    body = ElementTree.fromstring('<r:Req xmlns:r="urn:r"><r:x>payload</r:x></r:Req>')
    headers = [soap.caiso_header("CN=client,O=b2b-openapitests", "msg-1")]
    if attachment_hash:
        holder = ElementTree.Element(ATTACHMENT_HASH)
        ElementTree.SubElement(holder, f"{{{wss.ATTACHMENT_HASH_NS}}}hashValue").text = "abc="
        headers.append(holder)
    return soap.envelope(body, tuple(headers))


def reasons(envelope: bytes, trust: wss.Trust, **kwargs: object) -> str:
    with pytest.raises(wss.WsSecurityError) as caught:
        wss.verify(envelope, trust, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


@pytest.mark.parametrize("algorithm", list(wss.Algorithm))
def test_signed_envelopes_are_shaped_as_caiso_signs_them(
        identity: wss.SigningIdentity, trust: wss.Trust, algorithm: wss.Algorithm) -> None:
    signed = wss.sign(request_envelope(attachment_hash=True), identity, algorithm)
    root = etree.fromstring(signed)
    ns = {"wsse": wss.WSSE_NS, "ds": wss.DS_NS, "wsu": wss.WSU_NS, "s": wss.SOAP_ENV}
    (security,) = root.xpath("s:Header/wsse:Security", namespaces=ns)
    assert [c.tag for c in security] == [f"{{{wss.WSSE_NS}}}BinarySecurityToken",
                                         f"{{{wss.DS_NS}}}Signature"]
    token = security[0]
    assert token.get("ValueType") == wss.X509V3
    assert token.get("EncodingType") == wss.BASE64_BINARY
    info = security[1].find(f"{{{wss.DS_NS}}}SignedInfo")
    assert info.find(f"{{{wss.DS_NS}}}CanonicalizationMethod").get("Algorithm") == wss.EXC_C14N
    assert info.find(f"{{{wss.DS_NS}}}SignatureMethod").get("Algorithm") == \
        algorithm.signature_uri
    uris = [r.get("URI") for r in info.findall(f"{{{wss.DS_NS}}}Reference")]
    targets = [root.xpath("//*[@wsu:Id=$id]", id=u[1:], namespaces=ns)[0].tag for u in uris]
    # Body, token, CAISOWSHeader, attachmentHash: CAISO's library's order
    assert targets == [f"{{{wss.SOAP_ENV}}}Body", token.tag,
                       f"{{{soap.CAISO_HEADER_NS}}}CAISOWSHeader", ATTACHMENT_HASH]
    for reference in info.findall(f"{{{wss.DS_NS}}}Reference"):
        assert reference.find(f"{{{wss.DS_NS}}}DigestMethod").get("Algorithm") == \
            algorithm.digest_uri
    (pointer,) = root.xpath("//ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference",
                            namespaces=ns)
    assert pointer.get("URI") == "#" + token.get(f"{{{wss.WSU_NS}}}Id")
    verified = wss.verify(signed, trust)
    assert verified.covered == {"Body", "BinarySecurityToken", "CAISOWSHeader",
                                "attachmentHash"}
    assert verified.algorithm == algorithm.signature_uri
    assert verified.certificate == identity.certificate
    # the signed envelope is still one our SOAP parser reads
    assert soap.parse(signed).body is not None


def test_zeep_verifies_what_we_sign(identity: wss.SigningIdentity, pki: Pki) -> None:
    signed = wss.sign(request_envelope(), identity)
    zeep_signature.verify_envelope(etree.fromstring(signed), str(pki.client.cert))


def test_we_verify_what_zeep_signs(pki: Pki, trust: wss.Trust) -> None:
    """zeep's BinarySignature signs the Body (and a Timestamp), not the CAISO header: enough
    for a response, not for a request CAISO would take."""
    envelope = etree.fromstring(request_envelope())
    signer = zeep_signature.BinarySignature(str(pki.client.key), str(pki.client.cert))
    signed, _ = signer.apply(envelope, {})
    data = etree.tostring(signed)
    assert "Body" in wss.verify(data, trust, required=wss.RESPONSE_PARTS).covered
    assert "does not cover" in reasons(data, trust)


@pytest.mark.parametrize(("old", "new", "part"), [
    (b">payload<", b">forged<", "Body"),
    (b">msg-1<", b">msg-2<", "CAISOWSHeader"),
    (b">abc=<", b">xyz=<", "attachmentHash"),
])
def test_a_tampered_part_is_named(identity: wss.SigningIdentity, trust: wss.Trust,
                                  old: bytes, new: bytes, part: str) -> None:
    signed = wss.sign(request_envelope(attachment_hash=True), identity)
    assert old in signed
    assert reasons(signed.replace(old, new), trust) == \
        f"the digest of {part} does not match: changed after signing"


def test_a_changed_signed_info_or_another_key_is_refused(
        identity: wss.SigningIdentity, trust: wss.Trust, pki: Pki) -> None:
    signed = wss.sign(request_envelope(), identity)
    root = etree.fromstring(signed)
    value = root.find(f".//{{{wss.DS_NS}}}SignatureValue")
    value.text = "A" + value.text[1:] if value.text[0] != "A" else "B" + value.text[1:]
    assert "SignatureValue does not verify" in reasons(etree.tostring(root), trust)
    # the token swapped for another trusted certificate: the signature is not its key's
    other = wss.SigningIdentity.from_pem(pki.server.cert.read_bytes(),
                                         pki.server.key.read_bytes())
    forged = wss.sign(request_envelope(), other)
    token_of = etree.fromstring(forged).find(f".//{{{wss.WSSE_NS}}}BinarySecurityToken").text
    mine = etree.fromstring(signed).find(f".//{{{wss.WSSE_NS}}}BinarySecurityToken").text
    assert "does not match" in reasons(signed.replace(mine.encode(), token_of.encode()), trust)


def test_unsigned_and_wrapped_envelopes_are_refused(identity: wss.SigningIdentity,
                                                    trust: wss.Trust) -> None:
    assert reasons(request_envelope(), trust) == \
        "the envelope is not signed (no wsse:Security header)"
    signed = wss.sign(request_envelope(), identity)
    root = etree.fromstring(signed)
    body = root.find(f"{{{wss.SOAP_ENV}}}Body")
    # signature wrapping: the signed Body moved into the header, a forged Body in its place
    header = root.find(f"{{{wss.SOAP_ENV}}}Header")
    header.append(body)
    forged = etree.SubElement(root, f"{{{wss.SOAP_ENV}}}Body")
    etree.SubElement(forged, "{urn:r}Req").text = "forged"
    assert reasons(etree.tostring(root), trust) == "the signature does not cover Body"
    forged.set(f"{{{wss.WSU_NS}}}Id", body.get(f"{{{wss.WSU_NS}}}Id"))
    assert "is given to more than one element" in reasons(etree.tostring(root), trust)


def test_an_attachment_header_left_unsigned_is_refused(identity: wss.SigningIdentity,
                                                       trust: wss.Trust) -> None:
    signed = etree.fromstring(wss.sign(request_envelope(), identity))
    holder = etree.SubElement(signed.find(f"{{{wss.SOAP_ENV}}}Header"), ATTACHMENT_HASH)
    holder.text = "added later"
    assert reasons(etree.tostring(signed), trust) == \
        "the signature does not cover attachmentHash"


def test_certificates_must_be_trusted_and_valid(pki: Pki, identity: wss.SigningIdentity,
                                                trust: wss.Trust) -> None:
    rogue = wss.SigningIdentity.from_pem(pki.rogue.cert.read_bytes(),
                                         pki.rogue.key.read_bytes())
    assert "is not in the trust bundle" in reasons(wss.sign(request_envelope(), rogue), trust)
    # a self-signed certificate given as the trust is pinned
    assert wss.verify(wss.sign(request_envelope(), rogue), wss.Trust.from_file(pki.rogue.cert))
    expired = wss.SigningIdentity.from_pem(pki.expired.cert.read_bytes(),
                                           pki.expired.key.read_bytes())
    assert "expired on" in reasons(wss.sign(request_envelope(), expired), trust)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    assert "expired on" in reasons(wss.sign(request_envelope(), identity), trust, now=later)


def test_identities_load_from_pem_and_pkcs12(pki: Pki, identity: wss.SigningIdentity) -> None:
    from_p12 = wss.SigningIdentity.from_pkcs12(pki.client.p12.read_bytes(),
                                               pki.password.encode())
    assert from_p12 == identity
    assert "client" in repr(identity) and "PRIVATE" not in repr(identity)
    with pytest.raises(wss.WsSecurityError, match="wrong password"):
        wss.SigningIdentity.from_pkcs12(pki.client.p12.read_bytes(), b"nope")
    with pytest.raises(wss.WsSecurityError, match="does not belong"):
        wss.SigningIdentity.from_pem(pki.client.cert.read_bytes(), pki.server.key.read_bytes())
    with pytest.raises(wss.WsSecurityError, match="not a PEM"):
        wss.SigningIdentity.from_pem(b"junk", pki.client.key.read_bytes())


def test_the_username_is_the_subject_as_caisos_clients_write_it(
        identity: wss.SigningIdentity) -> None:
    assert wss.caiso_username(identity.certificate) == "CN=client,O=b2b-openapitests"


def test_signing_refuses_what_is_not_an_envelope(identity: wss.SigningIdentity,
                                                 tmp_path: Path) -> None:
    with pytest.raises(wss.WsSecurityError, match=r"not a SOAP 1\.1 envelope"):
        wss.sign(b"<a/>", identity)
    with pytest.raises(wss.WsSecurityError, match="not well-formed"):
        wss.sign(b"<a", identity)
    with pytest.raises(ValueError, match="rsa-sha1 or rsa-sha256"):
        wss.Algorithm.named("md5")
    assert wss.Algorithm.named("RSA-SHA256") is wss.Algorithm.RSA_SHA256
