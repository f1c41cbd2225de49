// The issuer types' subject rules and the certificate identity they produce, after Fulcio's principals
// (pkg/identity/{email,kubernetes,spiffe,uri}/principal.go and the github-workflow ci-provider templates
// in config/identity/config.yaml). Runs only on claims whose signature, issuer, audience and times verified.

import Foundation  // URL parsing of URI subjects
import SigilBundle
import SigilX509

enum IdentityRules {
    static func identity(from claims: JSONObject, issuer: OIDCIssuer) throws(CAError) -> Identity {
        // SPEC: OIDC Core §2: sub is REQUIRED in every ID token
        let subject = try string(claims, "sub")
        guard !subject.isEmpty else { throw CAError(.invalidSubject, "\"sub\" is empty") }
        var extensions = FulcioExtensions()
        extensions.issuer = issuer.url
        extensions.issuerV2 = issuer.url
        extensions.tokenSubject = subject
        switch issuer.kind {
        case .email:
            // SPEC: Fulcio email principal: email_verified must be true; the address looks like an address
            let email = try string(claims, "email")
            switch claims["email_verified"] {
            case .bool(true)?, .string("true")?:
                break
            case nil:
                throw CAError(.emailNotVerified, "token has no \"email_verified\" claim; an email issuer needs it true")
            default:
                throw CAError(.emailNotVerified, "\"email_verified\" is not true")
            }
            guard isPlausibleEmail(email) else {
                throw CAError(.invalidSubject, "\"email\" is not an email address: \"\(email.prefix(200))\"")
            }
            if let path = issuer.issuerClaim {
                let value = try claimPath(claims, path)
                extensions.issuer = value
                extensions.issuerV2 = value
            }
            return Identity(
                subjectAlternativeName: SubjectAlternativeName(kind: .email, value: email), issuer: issuer.url,
                subject: subject, challenge: email, extensions: extensions)

        case .githubWorkflow:
            return try githubIdentity(claims, subject: subject, issuer: issuer, extensions: extensions)

        case .kubernetes:
            // SPEC: Fulcio kubernetes principal: SAN https://kubernetes.io/namespaces/<ns>/serviceaccounts/<sa>
            let parts = subject.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount",
                isDNSLabelish(parts[2]), isDNSLabelish(parts[3])
            else {
                throw CAError(
                    .invalidSubject,
                    "expected sub \"system:serviceaccount:<namespace>:<name>\", found \"\(subject.prefix(200))\"")
            }
            let namespace = String(parts[2])
            let name = String(parts[3])
            if let kubernetes = claims["kubernetes.io"]?.objectValue {
                let claimedNamespace = kubernetes["namespace"]?.stringValue
                let claimedName = kubernetes["serviceaccount"]?.objectValue?["name"]?.stringValue
                guard claimedNamespace == nil || claimedNamespace == namespace,
                    claimedName == nil || claimedName == name
                else {
                    throw CAError(.invalidSubject, "\"kubernetes.io\" claim disagrees with sub \"\(subject)\"")
                }
            }
            let uri = "https://kubernetes.io/namespaces/\(namespace)/serviceaccounts/\(name)"
            return Identity(
                subjectAlternativeName: SubjectAlternativeName(kind: .uri, value: uri), issuer: issuer.url,
                subject: subject, challenge: subject, extensions: extensions)

        case .spiffe:
            // SPEC: Fulcio spiffe principal: sub is a SPIFFE ID in the configured trust domain
            guard let domain = SPIFFEID.trustDomain(of: subject) else {
                throw CAError(.invalidSubject, "sub is not a SPIFFE ID: \"\(subject.prefix(200))\"")
            }
            guard domain == issuer.subjectDomain else {
                throw CAError(
                    .invalidSubject,
                    "expected a SPIFFE ID in trust domain \"\(issuer.subjectDomain)\", found \"\(domain)\"")
            }
            return Identity(
                subjectAlternativeName: SubjectAlternativeName(kind: .uri, value: subject), issuer: issuer.url,
                subject: subject, challenge: subject, extensions: extensions)

        case .uri:
            // SPEC: Fulcio uri principal: not an email; scheme and host equal the subject domain's
            guard !isPlausibleEmail(subject) || subject.contains("://") else {
                throw CAError(.invalidSubject, "uri subject must not be an email address")
            }
            guard let uri = URL(string: subject), let scheme = uri.scheme, let host = uri.host,
                let domain = URL(string: issuer.subjectDomain)
            else {
                throw CAError(.invalidSubject, "sub is not a URI with a host: \"\(subject.prefix(200))\"")
            }
            guard scheme.lowercased() == domain.scheme?.lowercased(), host.lowercased() == domain.host?.lowercased()
            else {
                throw CAError(
                    .invalidSubject,
                    "expected a sub under \(issuer.subjectDomain), found scheme \"\(scheme)\" host \"\(host)\"")
            }
            return Identity(
                subjectAlternativeName: SubjectAlternativeName(kind: .uri, value: subject), issuer: issuer.url,
                subject: subject, challenge: subject, extensions: extensions)

        default:
            throw CAError(.invalidConfiguration, "issuer type \(issuer.kind) has no identity rules")
        }
    }

    /// GitHub Actions: SAN `<url>/<job_workflow_ref>`; extensions from Fulcio's github-workflow templates.
    /// `job_workflow_ref` and `repository` are required; each other extension is set when its claims exist.
    static func githubIdentity(
        _ claims: JSONObject, subject: String, issuer: OIDCIssuer, extensions base: FulcioExtensions
    ) throws(CAError) -> Identity {
        // SPEC: Fulcio config/identity/config.yaml ci-issuer-metadata github-workflow
        let url = issuer.ciServerURL
        let jobWorkflowRef = try string(claims, "job_workflow_ref")
        let repository = try string(claims, "repository")
        guard !jobWorkflowRef.isEmpty, !repository.isEmpty else {
            throw CAError(.invalidSubject, "\"job_workflow_ref\" and \"repository\" must not be empty")
        }
        func optional(_ name: String) -> String? { text(claims[name]) }
        var extensions = base
        extensions.githubWorkflowTrigger = optional("event_name")
        extensions.githubWorkflowSHA = optional("sha")
        extensions.githubWorkflowName = optional("workflow")
        extensions.githubWorkflowRepository = repository
        extensions.githubWorkflowRef = optional("ref")
        extensions.buildSignerURI = "\(url)/\(jobWorkflowRef)"
        extensions.buildSignerDigest = optional("job_workflow_sha")
        extensions.runnerEnvironment = optional("runner_environment")
        extensions.sourceRepositoryURI = "\(url)/\(repository)"
        extensions.sourceRepositoryDigest = optional("sha")
        extensions.sourceRepositoryRef = optional("ref")
        extensions.sourceRepositoryIdentifier = optional("repository_id")
        extensions.sourceRepositoryOwnerURI = optional("repository_owner").map { "\(url)/\($0)" }
        extensions.sourceRepositoryOwnerIdentifier = optional("repository_owner_id")
        extensions.buildConfigURI = optional("workflow_ref").map { "\(url)/\($0)" }
        extensions.buildConfigDigest = optional("workflow_sha")
        extensions.buildTrigger = optional("event_name")
        if let runID = optional("run_id"), let attempt = optional("run_attempt") {
            extensions.runInvocationURI = "\(url)/\(repository)/actions/runs/\(runID)/attempts/\(attempt)"
        }
        extensions.sourceRepositoryVisibilityAtSigning = optional("repository_visibility")
        extensions.deploymentEnvironment = optional("environment").flatMap { $0.isEmpty ? nil : $0 }
        return Identity(
            subjectAlternativeName: SubjectAlternativeName(kind: .uri, value: "\(url)/\(jobWorkflowRef)"),
            issuer: issuer.url, subject: subject, challenge: subject, extensions: extensions)
    }

    static func string(_ claims: JSONObject, _ name: String) throws(CAError) -> String {
        guard let value = claims[name] else { throw CAError(.missingClaim, "token has no \"\(name)\" claim") }
        guard let text = value.stringValue else {
            throw CAError(.missingClaim, "\"\(name)\" is a JSON \(value.typeName), want a string")
        }
        return text
    }

    /// A claim rendered as text: strings as they are, integers as their digits; nil otherwise.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .number(let number)? where number.isInteger: number.text
        default: nil
        }
    }

    /// A string at a dotted path of nested objects (`federated_claims.connector_id`).
    static func claimPath(_ claims: JSONObject, _ path: String) throws(CAError) -> String {
        var current: JSONObject = claims
        let names = path.split(separator: ".").map(String.init)
        for (position, name) in names.enumerated() {
            guard let value = current[name] else { throw CAError(.missingClaim, "token has no \"\(path)\" claim") }
            if position == names.count - 1 {
                guard let text = value.stringValue, !text.isEmpty else {
                    throw CAError(.missingClaim, "\"\(path)\" is not a non-empty string")
                }
                return text
            }
            guard let object = value.objectValue else {
                throw CAError(.missingClaim, "\"\(path)\" is not an object path")
            }
            current = object
        }
        throw CAError(.missingClaim, "issuer claim path is empty")
    }

    /// Fulcio's check `^.+@.+\..+$`: something, `@`, something with a dot after it.
    static func isPlausibleEmail(_ text: String) -> Bool {
        guard let at = text.firstIndex(of: "@"), at != text.startIndex else { return false }
        let domain = text[text.index(after: at)...]
        let hasInnerDot = domain.indices.dropFirst().contains { index in
            domain[index] == "." && domain.index(after: index) != domain.endIndex
        }
        return hasInnerDot && !text.contains(where: { $0 == "\n" || $0 == "\r" })
    }

    /// Kubernetes names: non-empty, lower-case alphanumerics, `-` and `.` (RFC 1123 subdomain characters).
    static func isDNSLabelish(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.count <= 253
            && text.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
    }
}
