// RFC 6962 §3.1 precertificates: the poison extension and the TBSCertificate a CT log signs over (the
// precertificate's TBS with the poison removed). The DER surgery is SigilX509's `PrecertificateTBS.removing`,
// the same one that rebuilds the precertificate TBS from a final certificate when an SCT is verified.

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
        let tbs: [UInt8]
        let removed: [Certificate.Extension]
        do { (tbs, removed) = try PrecertificateTBS.removing(FulcioOID.precertificatePoison, from: precertificate) } catch {
            throw CTError(.malformedPrecertificate, error.reason)
        }
        for ext in removed {
            guard ext.critical, Array(ext.value) == [0x05, 0x00] else {
                throw CTError(
                    .malformedPoison,
                    "expected a critical poison extension with value NULL, found critical=\(ext.critical), \(ext.value.count) value bytes"
                )
            }
        }
        guard removed.count == 1 else {
            throw CTError(.missingPoison, "expected one precertificate poison extension, found \(removed.count)")
        }
        return tbs
    }
}
