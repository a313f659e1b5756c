/// What each pass of a ``Convolution`` runs, decided once at `init` from the shape and the
/// context's ``KernelTable`` (XNNPACK's create/reshape step): the algorithm of every pass, why,
/// the direct kernels and how many threads the pass's work pays for. ``Convolution/describe()``
/// prints it.
struct ConvolutionPlan: Sendable {
    /// Work (floating-point operations of a pass) per thread: a pass of `w` FLOPs runs on at most
    /// `w / minFlopsPerThread` threads, so two threads start at 5 MFLOP. Starting and joining a
    /// region costs microseconds and a pass must never run slower on more threads than on fewer:
    /// with two threads from 1.5 MFLOP, conv3 at batch 2 and 4 (2.4 and 4.7 MFLOP) ran slower on
    /// two threads than on one; from 5 MFLOP no pass of the CIFAR layers at batch 1, 2 and 4 did
    /// (`convbench conv --cifar-only --small-batches 1,2,4` times them on 1 and 2 threads).
    static let minFlopsPerThread = 2_500_000.0
    /// Threads each pass may use (in ``ConvolutionPass/allCases`` order).
    let threads: [Int]
    /// The GEMM microkernel of each im2col pass (nil for the others), chosen once for every slice.
    let gemmKernels: [GEMMMicrokernel?]
    /// The algorithm of each pass, in ``ConvolutionPass/allCases`` order (never `.auto`).
    let algorithms: [ConvolutionAlgorithm]
    /// Why each pass runs its algorithm.
    let reasons: [String]
    /// The table's direct-convolution kernels.
    let directKernel: DirectConvolutionKernel

    init(shape: ConvolutionShape, requested: ConvolutionAlgorithm, context: ExecutionContext) {
        let table = context.kernels, budget = context.threads
        directKernel = table.convolution
        // Every pass does the same multiply-adds; the thread count never changes the bits.
        let useful = max(1, Int(min(shape.flops / ConvolutionPlan.minFlopsPerThread, Double(Int32.max))))
        threads = ConvolutionPass.allCases.map { _ in min(budget, useful) }
        var algorithms: [ConvolutionAlgorithm] = [], reasons: [String] = []
        for pass in ConvolutionPass.allCases {
            if requested == .auto {
                let (a, why) = ConvolutionPlan.automatic(pass, shape: shape, kernel: table.convolution)
                algorithms.append(a)
                reasons.append("auto: " + why)
            } else {
                algorithms.append(requested)
                reasons.append("requested")
            }
        }
        self.algorithms = algorithms
        self.reasons = reasons
        let nhwc = shape.with(layout: .nhwc)
        gemmKernels = ConvolutionPass.allCases.map { pass in
            algorithms[pass.index] == .im2col ? Im2colConvolution.gemmKernel(nhwc, pass, context: context) : nil
        }
    }

    func algorithm(for pass: ConvolutionPass) -> ConvolutionAlgorithm { algorithms[pass.index] }
    func reason(for pass: ConvolutionPass) -> String { reasons[pass.index] }
    func threads(for pass: ConvolutionPass) -> Int { threads[pass.index] }
    func gemmKernel(for pass: ConvolutionPass) -> GEMMMicrokernel? { gemmKernels[pass.index] }

    /// The algorithm ``ConvolutionAlgorithm/auto`` runs for `pass`, and why: a documented rule of
    /// the shape and the kernels' tile width only (never of threads or timings, so results are
    /// reproducible).
    ///
    /// - forward: direct (it reads the input in place and fuses bias and ReLU), unless a group has
    ///   fewer output channels than half a tile, where its NR-wide tiles would mostly compute padding.
    /// - backward-data: direct when each group has at least half a tile of input channels (they
    ///   are its output channels), the stride is 1 (a strided pass computes on inserted zeros)
    ///   and at least 75% of the taps it runs are useful (it runs over the output gradient padded
    ///   by the kernel size, skipping the kernel rows that read only padding but not the columns:
    ///   `DirectProblem.usefulTapFraction`, `Wo / Wi` for a valid stride-1 layer). The CIFAR model's
    ///   15x15 layer is at 87% (direct is faster there), its 6x6 layer at 67% (im2col is faster;
    ///   `convbench conv --cifar-only` times both). It also takes direct when the few-input-channel
    ///   kernel applies (1-4 input channels, stride 1, one group, output channels a multiple of the
    ///   vector width); otherwise im2col (GEMM into column form, col2im).
    /// - backward-weights: direct, unless a group has fewer output channels than half a tile.
    static func automatic(
        _ pass: ConvolutionPass, shape: ConvolutionShape,
        kernel: DirectConvolutionKernel
    ) -> (ConvolutionAlgorithm, String) {
        let nr = kernel.nr
        switch pass {
        case .forward, .backwardWeights:
            return 2 * shape.groupOutputChannels >= nr
                ? (.direct, "\(shape.groupOutputChannels) output channels per group fill at least half of the \(nr)-wide tile")
                : (.im2col, "\(shape.groupOutputChannels) output channels per group fill less than half of the \(nr)-wide tile")
        case .backwardData:
            let s = shape.with(layout: .nhwc)
            if FewChannelBackwardData.applies(s, kernel) {
                return (.direct, "\(shape.inputChannels) input channels, stride 1: the few-channel kernel")
            }
            let strided = shape.descriptor.strideY > 1 || shape.descriptor.strideX > 1
            let useful = DirectProblem(backwardData: s).usefulTapFraction
            if strided { return (.im2col, "stride above 1: direct would compute on inserted zeros") }
            if 2 * shape.groupInputChannels < nr {
                return (.im2col, "\(shape.groupInputChannels) input channels per group fill less than half of the \(nr)-wide tile")
            }
            let percent = Int((useful * 100).rounded())
            return useful >= 0.75
                ? (.direct, "\(percent)% of the taps direct runs are useful (at least 75%)")
                : (.im2col, "only \(percent)% of the taps direct runs are useful (below 75%)")
        }
    }
}

extension ConvolutionPass {
    /// The position in ``allCases``.
    var index: Int { ConvolutionPass.allCases.firstIndex(of: self)! }
}
