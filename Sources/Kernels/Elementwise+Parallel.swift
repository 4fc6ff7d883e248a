/// How the light elementwise kernels (activations, broadcast arithmetic) use several cores.
///
/// They are memory bound and cheap per element, so a thread only pays off on large tensors:
/// below `parallelThreshold` elements they run on the calling thread. They never call BLAS,
/// so they follow the threading policy described on `Parallel`.
public enum Elementwise {
    /// Element count from which elementwise kernels split their work across threads.
    public static let parallelThreshold = 65_536
    /// Smallest piece of an elementwise kernel worth a thread of its own.
    static let minimumChunk = parallelThreshold / 2

    /// Splits a broadcast op into independent parts (each a plan of the same kind over a
    /// slice of the output, with operand pointers moved to match) and runs `body` on them in
    /// parallel. A `.strided` plan is run whole on the calling thread.
    static func forEachPart<T>(
        of plan: BroadcastPlan, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
        _ body: (BroadcastPlan, UnsafePointer<T>, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
    ) {
        func part(_ kind: BroadcastPlan.Kind, count: Int) -> BroadcastPlan {
            var piece = plan
            piece.kind = kind
            piece.count = count
            return piece
        }
        switch plan.kind {
        case .sameShape, .scalarRight, .scalarLeft:
            let aMoves = plan.kind != .scalarLeft, bMoves = plan.kind != .scalarRight
            Parallel.forEachChunk(count: plan.count, minimumChunk: minimumChunk) { range in
                let start = range.lowerBound
                body(part(plan.kind, count: range.count), aMoves ? a + start : a, bMoves ? b + start : b, y + start)
            }
        case .channelRight(let outer, let channels, let inner), .channelLeft(let outer, let channels, let inner):
            let isRight: Bool
            if case .channelRight = plan.kind { isRight = true } else { isRight = false }
            func kind(_ outer: Int, _ channels: Int) -> BroadcastPlan.Kind {
                isRight ? .channelRight(outer: outer, channels: channels, inner: inner)
                    : .channelLeft(outer: outer, channels: channels, inner: inner)
            }
            // Split the outer axis when there is one to split, else the channels.
            if outer > 1 {
                let block = channels * inner
                Parallel.forEachChunk(count: outer, minimumChunk: max(1, minimumChunk / max(block, 1))) { range in
                    let start = range.lowerBound * block
                    let full = part(kind(range.count, channels), count: range.count * block)
                    body(full, isRight ? a + start : a, isRight ? b : b + start, y + start)
                }
            } else {
                Parallel.forEachChunk(count: channels, minimumChunk: max(1, minimumChunk / max(inner, 1))) { range in
                    let start = range.lowerBound * inner
                    let piece = part(kind(1, range.count), count: range.count * inner)
                    body(piece, isRight ? a + start : a + range.lowerBound,
                         isRight ? b + range.lowerBound : b + start, y + start)
                }
            }
        case .strided:
            body(plan, a, b, y)
        }
    }
}
