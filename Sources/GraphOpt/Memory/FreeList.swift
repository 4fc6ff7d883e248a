/// Free blocks of an arena region, kept sorted by offset and coalesced, with best-fit
/// allocation and a moving top for fresh space.
struct FreeList {
    private(set) var blocks: [(offset: Int, size: Int)] = []
    /// End of the space handed out so far.
    private(set) var top = 0

    /// Returns an offset for `size` bytes and whether it lies within space used before.
    /// Best fit: the smallest free block that holds `size` (lowest offset on ties); else
    /// a free block touching the top grows; else fresh space at the top.
    mutating func allocate(_ size: Int) -> (offset: Int, reused: Bool) {
        var best: Int? = nil
        for (i, b) in blocks.enumerated() where b.size >= size {
            if best == nil || b.size < blocks[best!].size { best = i }
        }
        if let i = best {
            let b = blocks[i]
            if b.size == size { blocks.remove(at: i) } else { blocks[i] = (b.offset + size, b.size - size) }
            return (b.offset, true)
        }
        if let last = blocks.last, last.offset + last.size == top {
            blocks.removeLast()
            top = last.offset + size
            return (last.offset, false)
        }
        let offset = top
        top += size
        return (offset, false)
    }

    /// Returns a block to the list, merging it with free neighbours.
    mutating func free(offset: Int, size: Int) {
        guard size > 0 else { return }
        var lo = 0, hi = blocks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if blocks[mid].offset < offset { lo = mid + 1 } else { hi = mid }
        }
        blocks.insert((offset, size), at: lo)
        if lo + 1 < blocks.count, blocks[lo].offset + blocks[lo].size == blocks[lo + 1].offset {
            blocks[lo].size += blocks[lo + 1].size
            blocks.remove(at: lo + 1)
        }
        if lo > 0, blocks[lo - 1].offset + blocks[lo - 1].size == blocks[lo].offset {
            blocks[lo - 1].size += blocks[lo].size
            blocks.remove(at: lo)
        }
    }
}
