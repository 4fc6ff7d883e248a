extension TrainableRecipe {
    /// Parses the command-line spelling: `none` (train everything), `head`, `lastN`
    /// (e.g. `last10`) or `lastN+bn` (the reference study's recipe is `last10+bn`).
    /// Returns nil for anything else.
    public init?(parsing text: String) {
        switch text {
        case "none", "all": self = .all
        case "head": self = .headOnly
        default:
            guard text.hasPrefix("last") else { return nil }
            var rest = text.dropFirst(4)
            let plusBN = rest.hasSuffix("+bn")
            if plusBN { rest = rest.dropLast(3) }
            guard let n = Int(rest), n >= 0 else { return nil }
            self = .lastLayers(n, plusBatchNorm: plusBN)
        }
    }

    /// The reference study's recipe: the last 10 layers plus every BatchNormalization layer.
    public static let paper = TrainableRecipe.lastLayers(10, plusBatchNorm: true)
}
