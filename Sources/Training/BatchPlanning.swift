/// A batch source that can prepare ahead: the trainer announces each epoch's batches before
/// asking for them, so their images can be loaded and augmented while the model trains.
///
/// Announcing is only a hint: `batch(at:)` must return the same result whether or not (and in
/// whatever order) batches were announced. The epoch number (1-based, as in `EpochMetrics`)
/// also selects that epoch's random augmentation, so a resumed run sees the same images.
public protocol BatchPlanning: BatchSource {
    /// The batches (sample positions, in the order they will be requested) of `epoch`.
    func beginEpoch(_ epoch: Int, batches: [[Int]])
    /// The epoch is over (or abandoned): stop preparing and release what was prepared.
    func endEpoch()
}
