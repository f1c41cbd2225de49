// Test helpers for the CA, TSA and dev-issuer server tests: run an application on 127.0.0.1 with an ephemeral
// port. HTTP, tools and the built `sigil` binary are SigilServiceTesting's.

import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

/// Runs the application `make` builds (given the port callback) on 127.0.0.1:0 while `body` runs with its port.
func withRunningServer<App: ApplicationProtocol, Result: Sendable>(
    _ make: (@escaping @Sendable (Int) async -> Void) throws -> App,
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = try make { port in
        continuation.yield(port)
        continuation.finish()
    }
    let services = ServiceGroup(
        configuration: ServiceGroupConfiguration(services: [.init(service: app)], logger: Logger(label: "test")))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            let result = try await body(port)
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            await services.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}
