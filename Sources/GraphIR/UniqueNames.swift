extension Set where Element == String {
    /// Claims a name: `base` when it is free, else the first free `base<separator>k`
    /// for k = `firstSuffix`, `firstSuffix + 1`, ...; the claimed name is inserted.
    /// Passes and importers use it so that every value and node name stays unique.
    public mutating func claimUnique(_ base: String, separator: String = "_", firstSuffix: Int = 1) -> String {
        var name = base
        var k = firstSuffix
        while contains(name) {
            name = "\(base)\(separator)\(k)"
            k += 1
        }
        insert(name)
        return name
    }
}
