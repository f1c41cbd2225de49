// The one error→HTTP mapping: statuses, gRPC codes, headers and the grpc-gateway error body.

import Foundation
import SigilRekor
import Testing

@Suite("Rekor errors as HTTP answers")
struct HTTPMappingTests {
    struct Row: Sendable, CustomStringConvertible {
        let error: RekorError
        let status: Int
        let grpc: Int
        var description: String { "\(error.code)" }
    }

    static let rows: [Row] = [
        Row(error: RekorError(.invalidJSON, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.unknownField, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.wrongType, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.missingField, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.conflictingFields, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.invalidBase64, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.invalidEnumValue, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.unsupportedEntryKind, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.unsupportedAlgorithm, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.invalidVerifier, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.keyMismatch, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.invalidDigest, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.signatureInvalid, "x"), status: 400, grpc: 3),
        Row(error: RekorError(.requestTooLarge, "x"), status: 413, grpc: 3),
        Row(error: RekorError(.entryTooLarge, "x"), status: 413, grpc: 3),
        Row(error: .duplicate(existingIndex: 7), status: 409, grpc: 6),
        Row(error: .pushback(), status: 503, grpc: 14),
        Row(error: .frozen, status: 405, grpc: 12),
        Row(error: RekorError(.invalidConfiguration, "x"), status: 500, grpc: 13),
        Row(error: RekorError(.internalError, "x"), status: 500, grpc: 13),
    ]

    @Test("each code has its status and gRPC code", arguments: rows)
    func statusAndCode(_ row: Row) throws {
        #expect(row.error.httpStatus == row.status)
        #expect(row.error.grpcCode == row.grpc)
        let response = row.error.httpResponse
        #expect(response.status == row.status)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(object["code"] as? Int == row.grpc)
        #expect(object["message"] as? String == row.error.reason)
        #expect(Set(object.keys) == ["code", "message", "details"])
    }

    @Test("the body is grpc-gateway's: code, message, details, in that order, compact")
    func bodyBytes() {
        let body = RekorError(.unsupportedEntryKind, "invalid type, must be hashedrekord").httpResponse.body
        #expect(
            String(decoding: body, as: UTF8.self)
                == #"{"code":3,"message":"invalid type, must be hashedrekord","details":[]}"#)
    }

    @Test("a duplicate answers 409 with x-log-index and rekor-tiles' message")
    func duplicate() {
        let response = RekorError.duplicate(existingIndex: 4_026_478).httpResponse
        #expect(response.status == 409)
        #expect(response.headers == [.init("x-log-index", "4026478")])
        #expect(
            String(decoding: response.body, as: UTF8.self).contains(
                "an equivalent entry already exists in the transparency log with index 4026478"))
    }

    @Test("pushback answers 503 with Retry-After")
    func pushback() {
        #expect(RekorError.pushback().httpResponse.headers == [.init("Retry-After", "1")])
        #expect(RekorError.pushback(retryAfterSeconds: 5).httpResponse.headers == [.init("Retry-After", "5")])
        #expect(RekorError.pushback().httpResponse.status == 503)
    }

    @Test("client errors carry no extra headers")
    func noHeaders() {
        #expect(RekorError(.signatureInvalid, "x").httpResponse.headers.isEmpty)
    }

    @Test("a reason that quotes a huge input comes back bounded")
    func boundedMessages() throws {
        let key = TestKey.fresh("P-256")
        let request = try FreshKeyTests.request(key, verifierKind: "publicKey")
        let hugeName = String(repeating: "A", count: 100_000)
        let cases = [
            request.replacingOccurrences(of: "PKIX_ECDSA_P256_SHA_256", with: hugeName),
            request.replacingOccurrences(of: "\"digest\"", with: "\"\(hugeName)\": 1, \"digest\""),
            "{\"\(hugeName)\": {}}",
            request.replacingOccurrences(of: "PKIX_ECDSA_P256_SHA_256", with: hugeName.lowercased()),
        ]
        for body in cases {
            let error = try #require(
                refusal { () throws(RekorError) in _ = try RekorEntryValidator().validate(Array(body.utf8)) })
            let response = error.httpResponse
            #expect(response.status == 400)
            #expect(response.body.count < RekorError.maxMessageBytes + 100, "\(error.code)")
        }
        let long = RekorError(.invalidJSON, String(repeating: "é", count: 5000)).httpResponse.body
        let object = try #require(try JSONSerialization.jsonObject(with: Data(long)) as? [String: Any])
        let message = try #require(object["message"] as? String)
        #expect(message.utf8.count <= RekorError.maxMessageBytes && message.hasSuffix("..."))
    }
}
