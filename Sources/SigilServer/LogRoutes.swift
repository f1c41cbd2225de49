// The log's HTTP routes.
//
// Write (Rekor v2, sigstore/rekor-tiles grpc-gateway): `POST /api/v2/log/entries` → 201 + TransparencyLogEntry.
// Read (c2sp.org/tlog-tiles), at the base URL and again under `/api/v2/` (the spellings rekor-tiles' proto
// declares): `checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`. Plus `/healthz` and `/metrics`.
//
// Every refusal of a write goes through `RekorError.httpResponse` (SigilRekor/RekorHTTP.swift), the one place
// where an error becomes a status; engine errors become Rekor errors in `rekorError(for:)` below first.

import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import Prometheus
import SigilBundle
import SigilLog
import SigilMerkle
import SigilRekor
import SigilTlog

extension LogServer {
    /// Cache headers. Full tiles and bundles never change; a partial one never changes either (its bytes are fixed
    /// by its width) but is superseded and may be dropped, so it is cached briefly; the checkpoint moves.
    enum CacheControl {
        static let immutable = "public, max-age=31536000, immutable"
        static let partial = "public, max-age=60"
        static let checkpoint = "public, max-age=1"
    }

    /// Adds the write, read, health and metrics routes.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/api/v2/log/entries") { request, _ in await self.createEntry(request) }
        for prefix in ["", "/api/v2"] {
            router.get("\(prefix)/checkpoint") { _, _ in await self.checkpoint() }
            router.get("\(prefix)/tile/**") { _, context in
                await self.tile(components: context.parameters.getCatchAll())
            }
        }
        router.get("/healthz") { _, _ in await self.health() }
        router.get("/metrics") { _, _ in
            Self.response(.ok, self.metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    // MARK: Write

    /// `POST /api/v2/log/entries`.
    func createEntry(_ request: Request) async -> Response {
        let start = ContinuousClock.now
        do {
            let body = try await Self.collect(request, maxBytes: configuration.maxRequestBytes)
            let entry = try validator.validate(body)
            let appended: AppendResult
            do { appended = try await log.append(entry.canonicalBody, identity: entry.identity) } catch {
                throw rekorError(for: error)
            }
            guard !appended.isDuplicate else {
                metrics.duplicates.increment()
                throw RekorError.duplicate(existingIndex: appended.index)
            }
            let inclusion: InclusionResult
            do { inclusion = try await waitForInclusion(of: appended.index, leafHash: entry.leafHash) } catch {
                throw rekorError(for: error)
            }
            // SPEC: rekor-tiles internal/tessera/tessera.go: the proof is verified against the checkpoint before
            // answering (the engine did so from the tiles; `transparencyLogEntry` checks it once more).
            let answer = try RekorResponse.transparencyLogEntry(
                for: entry, logIndex: appended.index, log: identity, inclusionProof: inclusion.proof,
                checkpoint: inclusion.checkpoint.noteText, parsed: inclusion.checkpoint.checkpoint)
            metrics.appends.increment()
            metrics.appendLatency.record(ContinuousClock.now - start)
            metrics.treeSize.set(to: Double(inclusion.checkpoint.size))
            return Self.response(RekorResponse.httpResponse(answer))
        } catch {
            let refusal = error as? RekorError ?? rekorError(for: error)
            if refusal.httpStatus >= 500 {
                metrics.rejectedServer.increment()
                logger.warning("write failed", metadata: ["error": "\(refusal)"])
            } else if refusal.code != .duplicateEntry {
                metrics.rejectedClient.increment()
            }
            return Self.response(refusal.httpResponse)
        }
    }

    /// Reads the body, refusing it as soon as it is longer than `maxBytes` (by Content-Length or by counting).
    static func collect(_ request: Request, maxBytes: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBytes {
            throw RekorError(
                .requestTooLarge, "request body of \(declared) bytes is over the limit of \(maxBytes)")
        }
        var bytes: [UInt8] = []
        do {
            for try await buffer in request.body {
                guard buffer.readableBytes <= maxBytes - bytes.count else {
                    throw RekorError(
                        .requestTooLarge, "request body is over the limit of \(maxBytes) bytes")
                }
                bytes += buffer.readableBytesView
            }
        } catch let error as RekorError {
            throw error
        } catch {
            throw RekorError(.invalidJSON, "could not read the request body: \(error)")
        }
        return bytes
    }

    /// The engine's inclusion wait, bounded by ``LogServerConfiguration/inclusionTimeout``. A batch is normally
    /// published with its sequencing, so the checkpoint usually covers the entry already and nothing waits.
    func waitForInclusion(of index: UInt64, leafHash: MerkleHash) async throws -> InclusionResult {
        let log = self.log
        if let ready = try await log.inclusionIfPublished(of: index, leafHash: leafHash) { return ready }
        let timeout = configuration.inclusionTimeout
        return try await withThrowingTaskGroup(of: InclusionResult?.self) { group in
            group.addTask { try await log.waitForInclusion(of: index, leafHash: leafHash) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw RekorError(
                    .unavailable,
                    "entry \(index) is sequenced but no checkpoint covered it within \(timeout); "
                        + "resubmit to get its index",
                    retryAfterSeconds: configuration.retryAfterSeconds)
            }
            return result
        }
    }

    /// Engine errors as Rekor errors: pushback, storage failure and shutdown are the server's temporary state
    /// (503 + Retry-After); an entry too large is the client's (413); anything else is our bug (500).
    func rekorError(for error: any Error) -> RekorError {
        if let error = error as? RekorError { return error }
        let retry = configuration.retryAfterSeconds
        guard let error = error as? LogError else {
            if error is CancellationError {
                return RekorError(.unavailable, "the request was cancelled", retryAfterSeconds: retry)
            }
            return RekorError(.internalError, "unexpected error: \(error)")
        }
        switch error.code {
        case .pushback: return .pushback(retryAfterSeconds: retry)
        case .storageFailure: return RekorError(.unavailable, "storage is unavailable; retry", retryAfterSeconds: retry)
        case .stopped: return RekorError(.unavailable, "the log is not accepting entries; retry", retryAfterSeconds: retry)
        case .entryTooLarge: return RekorError(.entryTooLarge, error.reason)
        default: return RekorError(.internalError, "log: \(error.code)")
        }
    }

    // MARK: Read

    /// `checkpoint`: the latest signed checkpoint note.
    func checkpoint() async -> Response {
        do {
            guard let stored = try await storage.checkpoint() else {
                return Self.text(.notFound, "no checkpoint has been published\n")
            }
            return Self.response(
                .ok, stored.note, contentType: "text/plain; charset=utf-8", cacheControl: CacheControl.checkpoint)
        } catch {
            return unavailable(error)
        }
    }

    /// `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, exactly as stored; 404 for anything else.
    func tile(components: [Substring]) async -> Response {
        let path = "tile/" + components.joined(separator: "/")
        do {
            let bytes: [UInt8]?
            let isPartial: Bool
            if components.first == "entries" {
                guard let id = try? EntryBundleID(path: path) else { return Self.text(.notFound, "no such path\n") }
                bytes = try await storage.entryBundle(id)
                isPartial = id.isPartial
            } else {
                guard let id = try? TileID(path: path) else { return Self.text(.notFound, "no such path\n") }
                bytes = try await storage.tile(id)
                isPartial = id.isPartial
            }
            guard let bytes else { return Self.text(.notFound, "\(path) does not exist\n") }
            return Self.response(
                .ok, bytes, contentType: "application/octet-stream",
                cacheControl: isPartial ? CacheControl.partial : CacheControl.immutable)
        } catch {
            return unavailable(error)
        }
    }

    /// `{"status":"SERVING"}` while the engine runs, 503 `NOT_SERVING` once it stopped.
    func health() async -> Response {
        if await log.stoppedReason != nil {
            return Self.response(.serviceUnavailable, Array(#"{"status":"NOT_SERVING"}"#.utf8), contentType: "application/json")
        }
        return Self.response(.ok, Array(#"{"status":"SERVING"}"#.utf8), contentType: "application/json")
    }

    private func unavailable(_ error: any Error) -> Response {
        logger.warning("read failed", metadata: ["error": "\(error)"])
        var response = Self.text(.serviceUnavailable, "storage is unavailable; retry\n")
        response.headers[.retryAfter] = String(configuration.retryAfterSeconds)
        return response
    }

    // MARK: Responses

    static func response(
        _ status: HTTPResponse.Status, _ bytes: [UInt8], contentType: String, cacheControl: String? = nil
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        if let cacheControl { headers[.cacheControl] = cacheControl }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        response(status, Array(text.utf8), contentType: "text/plain; charset=utf-8")
    }

    static func response(_ answer: RekorHTTPResponse) -> Response {
        var response = response(
            HTTPResponse.Status(code: answer.status), answer.body, contentType: RekorHTTPResponse.contentType)
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { response.headers[name] = header.value }
        }
        return response
    }
}
