// An independent WS-Security implementation for the interoperability tests: Apache WSS4J 1.6
// (Debian libwss4j-java, with Apache Santuario) signs and verifies SOAP envelopes the way a
// CAISO-style peer would. Compiled by tests/test_wss4j.py into build/wss4j.
//
//   java Wss4jTool sign KEYSTORE.p12 rsa-sha1|rsa-sha256 < envelope > signed
//   java Wss4jTool verify CA.pem < signed     (prints the signed parts, one a line)
//
// The keystore password comes from the WSS4J_TOOL_PASSWORD environment variable (never the
// command line). Exit 0 on success, 1 with the reason on stderr otherwise.

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSDataRef;
import org.apache.ws.security.WSEncryptionPart;
import org.apache.ws.security.WSSecurityEngine;
import org.apache.ws.security.WSSecurityEngineResult;
import org.apache.ws.security.components.crypto.Merlin;
import org.apache.ws.security.message.WSSecHeader;
import org.apache.ws.security.message.WSSecSignature;
import org.w3c.dom.Document;

public final class Wss4jTool {
    private static final String SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/";
    private static final String CAISO_HEADER_NS =
        "http://www.caiso.com/soa/2006-09-30/CAISOWSHeader.xsd";
    private static final String ATTACHMENT_HASH_NS =
        "http://www.caiso.com/mrtu/soa/schemas/2005/09/attachmenthash";
    private static final String ATTACHMENT_INFO_NS =
        "http://www.caiso.com/soa/2006-06-13/StandardAttachmentInfor.xsd";

    private Wss4jTool() {
    }

    public static void main(String[] args) {
        try {
            Document doc = parse(System.in);
            if (args.length == 3 && args[0].equals("sign")) {
                write(sign(doc, args[1], args[2]));
            } else if (args.length == 2 && args[0].equals("verify")) {
                for (String part : verify(doc, args[1])) {
                    System.out.println(part);
                }
            } else {
                System.err.println("usage: sign KEYSTORE ALGORITHM | verify CA.pem");
                System.exit(2);
            }
        } catch (Exception exc) {
            System.err.println(exc.getClass().getSimpleName() + ": " + exc.getMessage());
            System.exit(1);
        }
    }

    private static Document parse(InputStream in) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(in);
    }

    private static void write(Document doc) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TransformerFactory.newInstance().newTransformer()
            .transform(new DOMSource(doc), new StreamResult(out));
        System.out.write(out.toByteArray());
        System.out.flush();
    }

    private static Document sign(Document doc, String keystorePath, String algorithm)
            throws Exception {
        char[] password = System.getenv("WSS4J_TOOL_PASSWORD").toCharArray();
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystorePath)) {
            keystore.load(in, password);
        }
        String alias = Collections.list(keystore.aliases()).get(0);
        Merlin crypto = new Merlin();
        crypto.setKeyStore(keystore);

        WSSecHeader header = new WSSecHeader();
        header.setMustUnderstand(false);
        header.insertSecurityHeader(doc);
        WSSecSignature signature = new WSSecSignature();
        signature.setUserInfo(alias, new String(password));
        signature.setKeyIdentifierType(WSConstants.BST_DIRECT_REFERENCE);
        signature.setSigCanonicalization(WSConstants.C14N_EXCL_OMIT_COMMENTS);
        if (algorithm.equals("rsa-sha256")) {
            signature.setSignatureAlgorithm("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
            signature.setDigestAlgo("http://www.w3.org/2001/04/xmlenc#sha256");
        } else {
            signature.setSignatureAlgorithm(WSConstants.RSA_SHA1);
            signature.setDigestAlgo(WSConstants.SHA1);
        }
        // the token is in the header before the references are made, so that it can be signed
        // too (by its wsu:Id), as CAISO signs it
        signature.prepare(doc, crypto, header);
        signature.prependBSTElementToHeader(header);
        List<WSEncryptionPart> parts = new ArrayList<>();
        parts.add(new WSEncryptionPart(WSConstants.ELEM_BODY, SOAP_NS, "Element"));
        parts.add(new WSEncryptionPart(signature.getBSTTokenId()));
        for (String[] block : new String[][] {{"CAISOWSHeader", CAISO_HEADER_NS},
                {"attachmentHash", ATTACHMENT_HASH_NS},
                {"standardAttachmentInfor", ATTACHMENT_INFO_NS}}) {
            if (doc.getElementsByTagNameNS(block[1], block[0]).getLength() > 0) {
                parts.add(new WSEncryptionPart(block[0], block[1], "Element"));
            }
        }
        signature.computeSignature(signature.addReferencesToSign(parts, header), false, null);
        return doc;
    }

    private static List<String> verify(Document doc, String caPath) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        int index = 0;
        try (InputStream in = new FileInputStream(caPath)) {
            for (java.security.cert.Certificate cert : factory.generateCertificates(in)) {
                trust.setCertificateEntry("ca" + index++, (X509Certificate) cert);
            }
        }
        Merlin crypto = new Merlin();
        crypto.setTrustStore(trust);
        List<WSSecurityEngineResult> results =
            new WSSecurityEngine().processSecurityHeader(doc, null, null, crypto);
        List<String> parts = new ArrayList<>();
        if (results == null) {
            throw new IllegalStateException("no wsse:Security header");
        }
        for (WSSecurityEngineResult result : results) {
            Object action = result.get(WSSecurityEngineResult.TAG_ACTION);
            if (action == null || ((Integer) action) != WSConstants.SIGN) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<WSDataRef> refs =
                (List<WSDataRef>) result.get(WSSecurityEngineResult.TAG_DATA_REF_URIS);
            for (WSDataRef ref : refs) {
                parts.add(ref.getName().getLocalPart());
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalStateException("no signature");
        }
        return parts;
    }
}
