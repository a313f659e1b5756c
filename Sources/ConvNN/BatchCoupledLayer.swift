/// A layer whose training passes need statistics of the whole batch (batch normalization),
/// while ``Sequential`` runs a batch as slices through whole layers. The model runs such a pass
/// in three steps: every slice adds its share to the layer's per-slice sums, the sums are
/// combined once in slice order, then every slice runs the layer's pass with the combined
/// statistics. Slices are a function of the batch size only, so the bits do not depend on the
/// thread count.
protocol BatchCoupledLayer: Layer {
    /// Training forward, step 1: slice `slice`'s sums of its `batch` input examples.
    func gatherStatistics(input: UnsafePointer<Float>, batch: Int, slice: Int) throws
    /// Training forward, step 2 (once per batch): combines slices `0..<slices`, `examples` in all.
    func combineStatistics(slices: Int, examples: Int) throws
    /// Backward, step 1: slice `slice`'s sums of its input and output gradient.
    func gatherGradientStatistics(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, batch: Int, slice: Int) throws
    /// Backward, step 2 (once per batch): combines the slices' sums and sets the parameters' gradients.
    func combineGradientStatistics(slices: Int, examples: Int) throws
}
