// RFC 6962 §3.1 precertificates: the poison extension and the TBSCertificate a CT log signs over (the
// precertificate's TBS with the poison removed). The DER surgery is written by hand: swift-certificates
// builds and parses certificates but has no "same TBS minus one extension" operation.

import SigilX509
import SwiftASN1
import X509

/// Building and reading RFC 6962 precertificates.
public enum Precertificate {
    /// The poison extension (1.3.6.1.4.1.11129.2.4.3): critical, value ASN.1 NULL (RFC 6962 §3.1).
    public static let poisonExtension = Certificate.Extension(
        oid: FulcioOID.precertificatePoison, critical: true, value: [0x05, 0x00][...])

    /// The precertificate's TBSCertificate with the poison extension removed and every other byte kept,
    /// re-encoded as DER: RFC 6962 §3.2 `PreCert.tbs_certificate`. The poison must be there exactly once,
    /// critical, with a NULL value.
    public static func tbsWithoutPoison(_ precertificate: Certificate) throws(CTError) -> [UInt8] {
        // SPEC: RFC 6962 §3.1 (poison: critical, NULL) and §3.2 (tbs_certificate without the poison)
        do {
            let root = try DER.parse(precertificate.tbsCertificateBytes)
            guard root.identifier == .sequence, case .constructed(let fields) = root.content else {
                throw CTError(.malformedPrecertificate, "TBSCertificate is not a SEQUENCE")
            }
            let extensionsTag = ASN1Identifier(tagWithNumber: 3, tagClass: .contextSpecific)
            var removed = 0
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { coder in
                for field in fields {
                    guard field.identifier == extensionsTag else {
                        coder.serializeRawBytes(field.encodedBytes)
                        continue
                    }
                    guard case .constructed(let wrappedNodes) = field.content,
                        case let wrapped = Array(wrappedNodes), wrapped.count == 1, let list = wrapped.first,
                        list.identifier == .sequence, case .constructed(let extensions) = list.content
                    else {
                        throw CTError(.malformedPrecertificate, "extensions field is not [3] { SEQUENCE OF Extension }")
                    }
                    var kept: [ASN1Node] = []
                    for node in extensions {
                        let ext = try Certificate.Extension(derEncoded: node)
                        guard ext.oid == FulcioOID.precertificatePoison else {
                            kept.append(node)
                            continue
                        }
                        guard ext.critical, Array(ext.value) == [0x05, 0x00] else {
                            throw CTError(
                                .malformedPoison,
                                "expected a critical poison extension with value NULL, found critical=\(ext.critical), \(ext.value.count) value bytes"
                            )
                        }
                        removed += 1
                    }
                    // extensions is SIZE (1..MAX): an empty list is left out.
                    guard !kept.isEmpty else { continue }
                    coder.appendConstructedNode(identifier: extensionsTag) { coder in
                        coder.appendConstructedNode(identifier: .sequence) { coder in
                            for node in kept { coder.serializeRawBytes(node.encodedBytes) }
                        }
                    }
                }
            }
            guard removed == 1 else {
                throw CTError(.missingPoison, "expected one precertificate poison extension, found \(removed)")
            }
            return serializer.serializedBytes
        } catch let error as CTError {
            throw error
        } catch {
            throw CTError(.malformedPrecertificate, "TBSCertificate does not re-encode: \(error)")
        }
    }
}
