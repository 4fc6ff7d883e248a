import Foundation

/// Prepares the batches of a known plan on a background thread, at most `depth` ahead of the
/// consumer, and hands them over in plan order.
///
/// - Bounded: the producer waits while `depth` batches are ready and unconsumed.
/// - Errors: a failed batch is delivered as its error when the consumer reaches it; the producer
///   stops there.
/// - Cancellation: `cancel()` stops the producer after the batch in progress and waits for the
///   thread to exit, so nothing runs once it returns.
final class BatchPrefetcher<Batch: Sendable>: @unchecked Sendable {
    let plan: [[Int]]
    let depth: Int
    private let produce: @Sendable (Int) throws -> Batch
    private let condition = NSCondition()
    private var ready: [Int: Result<Batch, any Error>] = [:]
    private var consumed = 0
    private var cancelled = false
    private var finished = false

    /// Starts producing at once. `produce(b)` makes batch `b` of `plan`.
    init(plan: [[Int]], depth: Int, name: String = "graphcam.prefetch",
         produce: @escaping @Sendable (Int) throws -> Batch) {
        self.plan = plan
        self.depth = max(1, depth)
        self.produce = produce
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    private func run() {
        defer {
            condition.withLock { finished = true; condition.broadcast() }
        }
        for b in plan.indices {
            let proceed = condition.withLock {
                while !cancelled, b - consumed >= depth { condition.wait() }
                return !cancelled
            }
            guard proceed else { return }
            let result = Result { try produce(b) }
            condition.withLock { ready[b] = result; condition.broadcast() }
            if case .failure = result { return }
        }
    }

    /// The next planned batch if it is the one made of `indices` (waiting for it when needed);
    /// nil when the plan is used up, cancelled, or the caller asks for something else (then the
    /// caller computes it itself and the prefetcher should be cancelled).
    func next(expecting indices: [Int]) throws -> Batch? {
        let result: Result<Batch, any Error>? = condition.withLock {
            guard !cancelled, consumed < plan.count, plan[consumed] == indices else { return nil }
            while ready[consumed] == nil, !finished { condition.wait() }
            guard let result = ready.removeValue(forKey: consumed) else { return nil }
            consumed += 1
            condition.broadcast()
            return result
        }
        return try result?.get()
    }

    /// Whether every planned batch has been handed over.
    var isExhausted: Bool { condition.withLock { consumed >= plan.count } }

    /// Stops the producer and waits for its thread to exit. Safe to call more than once.
    func cancel() {
        condition.withLock {
            cancelled = true
            condition.broadcast()
            while !finished { condition.wait() }
            ready.removeAll()
        }
    }
}
