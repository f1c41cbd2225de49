// Loading a ClientTrustConfig (--trust-config) or a TrustedRoot plus SigningConfig pair, strictly, with the
// media types sigstore-python accepts (services.md §0.10).

import Foundation
import SigilBundle
import SigilSign

/// What a signing run is configured with.
public struct SigningTrust: Sendable {
    public let trustedRoot: TrustedRoot
    public let signingConfig: SigningConfig

    public init(trustedRoot: TrustedRoot, signingConfig: SigningConfig) {
        self.trustedRoot = trustedRoot
        self.signingConfig = signingConfig
    }

    /// The largest configuration file read.
    public static let maxBytes = 4 << 20

    /// A ClientTrustConfig v0.1 JSON document.
    public static func clientTrustConfig(_ bytes: [UInt8]) throws(SignError) -> SigningTrust {
        guard bytes.count <= maxBytes else {
            throw SignError(.invalidConfiguration, "trust config is \(bytes.count) bytes, limit \(maxBytes)")
        }
        let config: ClientTrustConfig
        do { config = try ClientTrustConfig.parse(bytes) } catch {
            throw SignError(.invalidConfiguration, "trust config does not parse: \(error)")
        }
        guard config.mediaType == ClientTrustConfig.mediaTypeV0_1 else {
            throw SignError(
                .invalidConfiguration,
                "expected trust config media type \(ClientTrustConfig.mediaTypeV0_1), got \(config.mediaType)")
        }
        return try SigningTrust(trustedRoot: config.trustedRoot, signingConfig: config.signingConfig).checked()
    }

    /// A TrustedRoot and a SigningConfig from two documents.
    public static func separate(trustedRoot: [UInt8], signingConfig: [UInt8]) throws(SignError) -> SigningTrust {
        guard trustedRoot.count <= maxBytes, signingConfig.count <= maxBytes else {
            throw SignError(.invalidConfiguration, "trust documents are limited to \(maxBytes) bytes")
        }
        let root: TrustedRoot
        let config: SigningConfig
        do { root = try TrustedRoot.parse(trustedRoot) } catch {
            throw SignError(.invalidConfiguration, "trusted root does not parse: \(error)")
        }
        do { config = try SigningConfig.parse(signingConfig) } catch {
            throw SignError(.invalidConfiguration, "signing config does not parse: \(error)")
        }
        return try SigningTrust(trustedRoot: root, signingConfig: config).checked()
    }

    func checked() throws(SignError) -> SigningTrust {
        guard signingConfig.mediaType == SigningConfig.mediaTypeV0_2 else {
            throw SignError(
                .invalidConfiguration,
                "expected signing config media type \(SigningConfig.mediaTypeV0_2), got \(signingConfig.mediaType)")
        }
        return self
    }
}
