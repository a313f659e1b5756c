extension ConvolutionShape {
    /// The algorithm ``ConvolutionAlgorithm/auto`` runs for `pass`: a documented rule of the shape
    /// and the kernels' tile width only (never of threads or timings, so results are reproducible).
    ///
    /// - forward: direct (it reads the input in place and fuses bias and ReLU), unless a group has
    ///   fewer output channels than half a tile, where its NR-wide tiles would mostly compute padding.
    /// - backward-data: direct when each group has at least half a tile of input channels (they
    ///   are its output channels), the stride is 1 (a strided pass computes on inserted zeros)
    ///   and at least 75% of the taps it runs are useful (it runs over the output gradient padded
    ///   by the kernel size, skipping the kernel rows that read only padding but not the columns:
    ///   `DirectProblem.usefulTapFraction`, `Wo / Wi` for a valid stride-1 layer). The CIFAR model's
    ///   15x15 layer is at 87% (direct is faster there), its 6x6 layer at 67% (im2col is faster;
    ///   `convbench conv --cifar-only` times both). It also takes direct when the
    ///   few-input-channel kernel
    ///   applies (1-4 input channels, stride 1, one group, output channels a multiple of the
    ///   vector width); otherwise im2col (GEMM into column form, col2im).
    /// - backward-weights: direct, unless a group has fewer output channels than half a tile.
    public func automaticAlgorithm(for pass: ConvolutionPass, isa: ISA) -> ConvolutionAlgorithm {
        let nr = DirectConvolutionKernel.kernel(for: isa).nr
        switch pass {
        case .forward, .backwardWeights:
            return 2 * groupOutputChannels >= nr ? .direct : .im2col
        case .backwardData:
            let strided = descriptor.strideY > 1 || descriptor.strideX > 1
            if FewChannelBackwardData.applies(with(layout: .nhwc), DirectConvolutionKernel.kernel(for: isa)) { return .direct }
            let mostlyUseful = DirectProblem(backwardData: self).usefulTapFraction >= 0.75
            return 2 * groupInputChannels >= nr && !strided && mostlyUseful ? .direct : .im2col
        }
    }
}
