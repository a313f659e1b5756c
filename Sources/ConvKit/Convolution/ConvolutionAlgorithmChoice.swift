extension ConvolutionShape {
    /// The algorithm ``ConvolutionAlgorithm/auto`` runs for `pass`: a documented rule of the shape
    /// and the kernels' tile width only (never of threads or timings, so results are reproducible).
    ///
    /// - forward: direct (it reads the input in place and fuses bias and ReLU), unless a group has
    ///   fewer output channels than half a tile, where its NR-wide tiles would mostly compute padding.
    /// - backward-data: direct when each group has at least half a tile of input channels (they
    ///   are its output channels), the stride is 1 (a strided pass computes on inserted zeros)
    ///   and at least 60% of its taps are useful (it runs every tap over the output gradient
    ///   padded by the kernel size, and `Ho * Wo / (Hi * Wi)` of them land on gradient pixels: 44%
    ///   for the CIFAR model's 6x6 layer, which took 0.60-0.65x the time by im2col in
    ///   Docs/Benchmarks.md, 75% for its 15x15 layer), or when the few-input-channel kernel
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
            let mostlyUseful = 5 * outputHeight * outputWidth >= 3 * inputHeight * inputWidth
            return 2 * groupInputChannels >= nr && !strided && mostlyUseful ? .direct : .im2col
        }
    }
}
