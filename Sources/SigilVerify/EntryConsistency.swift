// Step 5a: the log entry describes this bundle. Without this check a valid entry for another signature of the
// same artifact would vouch for a bundle it never saw (CVE-2022-36056).

import Foundation
import SigilBundle
import SigilTlog
import SigilX509
import X509

extension Verifier {
    /// What the bundle claims, in the forms log bodies use.
    struct SignedMaterials {
        let signature: [UInt8]
        /// The signer's certificate DER, or its SubjectPublicKeyInfo DER for a managed key.
        let signerDER: [UInt8]
        let signerIsCertificate: Bool
    }

    func checkEntryMatchesBundle(
        _ entry: TransparencyLogEntry, bundle: SigstoreBundle, material: Material, artifact: Artifact,
        key: Certificate.PublicKey
    ) throws(VerificationError) {
        let body: RekorEntryBody
        do { body = try RekorEntryBody.parse(entry.canonicalizedBody) } catch {
            throw VerificationError(.entryInconsistent, "log index \(entry.logIndex): the entry body does not parse: \(error)")
        }
        // SPEC: protobuf-specs TransparencyLogEntry: kindVersion names the body's kind and version.
        guard body.kindVersion == entry.kindVersion else {
            throw VerificationError(
                .entryInconsistent,
                "log index \(entry.logIndex): kindVersion says \(entry.kindVersion.kind) \(entry.kindVersion.version), the body is \(body.kind) \(body.apiVersion)")
        }
        let signerDER: [UInt8]
        let isCertificate: Bool
        if let leafDER = material.leafDER {
            signerDER = leafDER
            isCertificate = true
        } else {
            do { signerDER = try CertificateCoding.derEncoded(key) } catch {
                throw VerificationError(.publicKeyMismatch, "the signing key cannot be encoded: \(error)")
            }
            isCertificate = false
        }
        let signed = SignedMaterials(signature: material.signature, signerDER: signerDER, signerIsCertificate: isCertificate)
        let mismatch = { (what: String) -> VerificationError in
            VerificationError(.entryInconsistent, "log index \(entry.logIndex) (\(body.kind) \(body.apiVersion)): \(what)")
        }

        // SPEC: Sigstore client spec, "Transparency Log Entry": the body's signature, key or certificate and
        // digest must be the bundle's own.
        switch (body, bundle.content) {
        case (.hashedRekordV001(let rekord), .messageSignature):
            guard rekord.signatureContent == signed.signature else { throw mismatch("the entry's signature is not the bundle's") }
            guard pemMatches(rekord.publicKeyContent, signed) else { throw mismatch("the entry's certificate or key is not the bundle's") }
            guard rekord.hash.algorithm == "sha256", rekord.hash.digest == artifact.sha256 else {
                throw mismatch("the entry's digest \(rekord.hash.algorithm):\(rekord.hash.value) is not the artifact's sha256:\(Hex.encode(artifact.sha256))")
            }
        case (.hashedRekordV002(let rekord), .messageSignature):
            try checkV002(rekord, digest: artifact.sha256, signed, mismatch)
        case (.hashedRekordV002(let rekord), .dsseEnvelope(let envelope)):
            // Rekor v2 logs a DSSE envelope as a hashedrekord over its PAE (services.md §0 fact 9).
            try checkV002(rekord, digest: Signatures.sha256(envelope.preAuthenticationEncoding), signed, mismatch)
        case (.dsseV001(let dsse), .dsseEnvelope(let envelope)):
            guard let payloadHash = dsse.payloadHash, payloadHash.algorithm == "sha256",
                payloadHash.digest == Signatures.sha256(envelope.payload)
            else { throw mismatch("the entry's payload hash is not the envelope payload's") }
            guard dsse.signatures.count == 1, let only = dsse.signatures.first,
                Base64.decode(only.signature) == signed.signature, pemMatches(only.verifier, signed)
            else { throw mismatch("the entry's signatures are not the envelope's single signature by the bundle's signer") }
        case (.dsseV002(let dsse), .dsseEnvelope(let envelope)):
            guard dsse.payloadHash.algorithm == .sha2_256, dsse.payloadHash.digest == Signatures.sha256(envelope.payload) else {
                throw mismatch("the entry's payload hash is not the envelope payload's")
            }
            guard dsse.signatures.count == 1, let only = dsse.signatures.first,
                only.content == signed.signature, verifierMatches(only.verifier, signed)
            else { throw mismatch("the entry's signatures are not the envelope's single signature by the bundle's signer") }
        case (.intotoV002(let intoto), .dsseEnvelope(let envelope)):
            guard let payloadHash = intoto.payloadHash, payloadHash.algorithm == "sha256",
                payloadHash.digest == Signatures.sha256(envelope.payload)
            else { throw mismatch("the entry's payload hash is not the envelope payload's") }
            guard intoto.payloadType == envelope.payloadType else { throw mismatch("the entry's payload type is not the envelope's") }
            // Rekor stores base64 of the envelope's base64 signature text.
            let sigMatches = intoto.signatures.contains { stored in
                let inner = Base64.decode(stored.sig).map { String(decoding: $0, as: UTF8.self) }
                return (inner.flatMap { Base64.decode($0) } == signed.signature || Base64.decode(stored.sig) == signed.signature)
                    && pemMatches(stored.publicKey, signed)
            }
            guard sigMatches else { throw mismatch("no signature in the entry is the envelope's, by the bundle's signer") }
        default:
            throw mismatch("a \(body.kind) \(body.apiVersion) entry cannot record a bundle with this kind of content")
        }
    }

    private func checkV002(
        _ rekord: HashedRekordV002, digest: [UInt8], _ signed: SignedMaterials,
        _ mismatch: (String) -> VerificationError
    ) throws(VerificationError) {
        guard rekord.data.algorithm == .sha2_256, rekord.data.digest == digest else {
            throw mismatch("the entry's digest \(Hex.encode(rekord.data.digest)) is not the signed digest \(Hex.encode(digest))")
        }
        guard rekord.signature.content == signed.signature else { throw mismatch("the entry's signature is not the bundle's") }
        guard verifierMatches(rekord.signature.verifier, signed) else {
            throw mismatch("the entry's verifier is not the bundle's certificate or key")
        }
    }

    private func verifierMatches(_ verifier: RekorVerifier, _ signed: SignedMaterials) -> Bool {
        switch verifier.key {
        case .x509Certificate(let certificate): return signed.signerIsCertificate && certificate.rawBytes == signed.signerDER
        case .publicKey(let key): return !signed.signerIsCertificate && key.rawBytes == signed.signerDER
        }
    }

    /// Rekor v1 bodies carry the signer as PEM text: a certificate, or a public key for managed keys.
    private func pemMatches(_ pemBytes: [UInt8], _ signed: SignedMaterials) -> Bool {
        let pem = String(decoding: pemBytes, as: UTF8.self)
        let type = signed.signerIsCertificate ? "CERTIFICATE" : "PUBLIC KEY"
        guard let der = try? CertificateCoding.der(pem: pem, type: type) else { return false }
        return der == signed.signerDER
    }
}
