// The one place where a Rekor error becomes an HTTP answer (STYLE.md habit 7). The body is the one
// grpc-gateway writes for a gRPC status with `EmitUnpopulated: true` (sigstore/rekor-tiles internal/server/
// http.go): `{"code": <gRPC code number>, "message": <text>, "details": []}`. sigstore-python shows such a body
// to its user as `code: message`.

import SigilBundle

/// An HTTP answer the server writes as is: status, extra headers, JSON body.
public struct RekorHTTPResponse: Hashable, Sendable {
    public struct Header: Hashable, Sendable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var status: Int
    /// Headers beyond `Content-Type: application/json` (which every answer here has).
    public var headers: [Header]
    public var body: [UInt8]

    public init(status: Int, headers: [Header] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The content type of every body built here.
    public static let contentType = "application/json"
}

/// gRPC status code numbers (grpc/grpc doc/statuscodes.md), as the error body's `code` carries them.
public enum GRPCStatusCode {
    public static let unknown = 2
    public static let invalidArgument = 3
    public static let alreadyExists = 6
    public static let unimplemented = 12
    public static let `internal` = 13
    public static let unavailable = 14
}

extension RekorError {
    /// The gRPC status code rekor-tiles would answer with.
    public var grpcCode: Int {
        switch code {
        case .duplicateEntry: GRPCStatusCode.alreadyExists
        case .unavailable: GRPCStatusCode.unavailable
        case .logFrozen: GRPCStatusCode.unimplemented
        case .internalError, .invalidConfiguration: GRPCStatusCode.internal
        // Every other code is the client's input: grpc-gateway decode errors and rekor-tiles' validation
        // failures are all InvalidArgument (an over-long body too, as grpc-gateway reports MaxBytesHandler's
        // read error; only the HTTP status below says 413).
        default: GRPCStatusCode.invalidArgument
        }
    }

    /// The HTTP status: 400 for the client's input, 413 for size, 409 for a duplicate, 503 for pushback,
    /// 405 for a frozen log, 500 only for our own bugs.
    public var httpStatus: Int {
        switch code {
        case .requestTooLarge, .entryTooLarge: 413
        case .duplicateEntry: 409
        case .unavailable: 503
        case .logFrozen: 405
        case .internalError, .invalidConfiguration: 500
        default: 400
        }
    }

    /// The longest message sent back, in bytes: a reason may quote the client's input (a field name, an enum
    /// name), and a 4 MiB request must not come back as a 4 MiB error.
    public static let maxMessageBytes = 1024

    static func bounded(_ text: String) -> String {
        guard text.utf8.count > maxMessageBytes else { return text }
        var out = ""
        for character in text {
            guard out.utf8.count + character.utf8.count <= maxMessageBytes - 3 else { break }
            out.append(character)
        }
        return out + "..."
    }

    /// The complete answer: status, `x-log-index` for duplicates (rekor-tiles forwards exactly that header),
    /// `Retry-After` for pushback, and the `{"code","message","details"}` body.
    public var httpResponse: RekorHTTPResponse {
        var headers: [RekorHTTPResponse.Header] = []
        if code == .duplicateEntry, let existingIndex {
            headers.append(.init("x-log-index", String(existingIndex)))
        }
        if code == .unavailable {
            headers.append(.init("Retry-After", String(max(retryAfterSeconds ?? 1, 0))))
        }
        let body = JSONValue.makeObject([
            "code": .integer(Int64(grpcCode)),
            "message": .string(Self.bounded(reason)),
            "details": .array([]),
        ])
        return RekorHTTPResponse(status: httpStatus, headers: headers, body: body.serialized())
    }
}
