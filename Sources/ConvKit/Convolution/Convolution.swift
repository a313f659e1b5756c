internal import ConvKitKernels
internal import ConvKitReference

/// A 2-D convolution layer's three passes for one ``ConvolutionShape``, by one algorithm.
///
/// Layouts (see ``TensorLayout``): NHWC activations with HWIO weights, or NCHW with OIHW.
/// Bias has `outputChannels` floats. The math is cross-correlation:
/// `out[n, oy, ox, co] = bias[co] + sum_{ky, kx, ci} in[n, oy*sy + ky*dy - padTop, ox*sx + kx*dx - padLeft, ci] * w[ky, kx, ci, co]`
/// with zeros outside the input. Results are bitwise identical for any thread budget.
///
/// Calls take an optional ``Workspace``; ``workspaceCount(for:)`` says how many floats a call
/// needs. Reusing one workspace makes steady-state calls allocation-free.
public struct Convolution: Sendable {
    public let shape: ConvolutionShape
    /// The algorithm requested (``ConvolutionAlgorithm/auto`` resolves per pass).
    public let algorithm: ConvolutionAlgorithm
    public let context: ExecutionContext
    /// What each pass runs, decided here once.
    let plan: ConvolutionPlan

    /// Plans every pass for `shape`: the algorithm (``ConvolutionAlgorithm/auto`` resolves by a
    /// documented rule of the shape and the context's kernels) and the kernels.
    /// - Throws: the errors of ``ExecutionContext/fromEnvironment()`` when `context` is nil.
    public init(shape: ConvolutionShape, algorithm: ConvolutionAlgorithm = .auto, context: ExecutionContext? = nil) throws {
        self.shape = shape
        self.algorithm = algorithm
        self.context = try context ?? ExecutionContext.fromEnvironment()
        plan = ConvolutionPlan(shape: shape, requested: algorithm, context: self.context)
    }

    /// The algorithm that runs `pass` (never `.auto`).
    public func algorithm(for pass: ConvolutionPass) -> ConvolutionAlgorithm { plan.algorithm(for: pass) }

    /// Which implementation each pass runs and why, one line per pass (oneDNN's verbose mode):
    /// `backwardData: im2col (ck_f32_gemm_6x16__avx2) - auto: only 67% of the taps direct runs are useful (below 75%)`.
    public func describe() -> String {
        var lines = ["\(shape), ISA \(context.isa), budget \(context.threads) thread(s)"]
        for pass in ConvolutionPass.allCases {
            let a = plan.algorithm(for: pass)
            let implementation: String
            switch a {
            case .direct:
                implementation =
                    pass == .backwardData && FewChannelBackwardData.applies(shape.with(layout: .nhwc), directKernel)
                    ? directKernel.fewChannelName : directKernel.name
            case .im2col:
                implementation = plan.gemmKernel(for: pass)?.name ?? "GEMM"
            default:
                implementation = "ConvKitReference loops"
            }
            let t = plan.threads(for: pass)
            lines.append("\(pass.rawValue): \(a.rawValue) (\(implementation)), \(t) thread\(t == 1 ? "" : "s") - \(plan.reason(for: pass))")
        }
        return lines.joined(separator: "\n")
    }

    var directKernel: DirectConvolutionKernel { plan.directKernel }
    /// The threads `pass` runs on: the plan's budget for its work (1 inside a parallel region).
    func threads(_ pass: ConvolutionPass) -> Int { Parallel.availableThreads(plan.threads(for: pass)) }

    // MARK: Workspace

    /// Floats of workspace that a call of `pass` needs (0 for `.reference`, which allocates).
    public func workspaceCount(for pass: ConvolutionPass) -> Int {
        var layout = ScratchLayout()
        _ = carve(&layout, pass)
        return layout.count
    }

    private struct Buffers {
        var input, output, weights: UnsafeMutablePointer<Float>  // NHWC / HWIO copies (NCHW only)
        var packed: UnsafeMutablePointer<Float>
        var scratch: UnsafeMutablePointer<Float>
    }

    private func carve(_ layout: inout ScratchLayout, _ pass: ConvolutionPass) -> Buffers {
        let s = shape.with(layout: .nhwc), nchw = shape.layout == .nchw
        let chosen = algorithm(for: pass)
        if chosen == .reference {
            let p = layout.take(0)
            return Buffers(input: p, output: p, weights: p, packed: p, scratch: p)
        }
        let input = layout.take(nchw ? s.inputCount : 0)
        let output = layout.take(nchw ? s.outputCount : 0)
        let weights = layout.take(nchw ? s.weightCount : 0)
        var packed = layout.take(0)
        let scratch: UnsafeMutablePointer<Float>
        let kernel = directKernel
        switch (pass, chosen) {
        case (.forward, .direct):
            let p = DirectProblem(forward: s)
            packed = layout.take(DirectConvolution.packedWeightCount(p, kernel))
            scratch = layout.take(DirectConvolution.forwardScratchCount(p, kernel, threads: threads(pass)))
        case (.backwardData, .direct) where FewChannelBackwardData.applies(s, kernel):
            scratch = layout.take(0)
        case (.backwardData, .direct):
            let p = DirectProblem(backwardData: s)
            packed = layout.take(DirectConvolution.packedWeightCount(p, kernel))
            scratch = layout.take(DirectConvolution.forwardScratchCount(p, kernel, threads: threads(pass)))
        case (.backwardWeights, .direct):
            scratch = layout.take(DirectConvolution.backwardWeightsScratchCount(s, kernel, threads: threads(pass)))
        case (.forward, _):
            scratch = layout.take(Im2colConvolution.forwardScratchCount(s, threads: threads(pass)))
        case (.backwardData, _):
            scratch = layout.take(Im2colConvolution.backwardDataScratchCount(s, threads: threads(pass)))
        case (.backwardWeights, _):
            scratch = layout.take(Im2colConvolution.backwardWeightsScratchCount(s, threads: threads(pass)))
        }
        return Buffers(input: input, output: output, weights: weights, packed: packed, scratch: scratch)
    }

    private func withBuffers<R>(_ pass: ConvolutionPass, _ workspace: Workspace?, _ body: (Buffers) -> R) throws -> R {
        try Workspace.using(workspace, count: workspaceCount(for: pass)) { ws in
            var layout = ScratchLayout(base: ws.baseAddress)
            return body(carve(&layout, pass))
        }
    }

    // MARK: Raw pointer API (internal: arrays would convert to it implicitly and skip the checks)

    /// `output = activation(conv(input, weights) + bias)`.
    ///
    /// Preconditions (unchecked): `input` holds ``ConvolutionShape/inputCount`` floats, `weights`
    /// ``ConvolutionShape/weightCount``, `bias` (optional) `outputChannels`, `output`
    /// ``ConvolutionShape/outputCount``; `output` overlaps none of them.
    func forward(
        input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, activation: Activation = .none, workspace: Workspace? = nil
    ) throws {
        let chosen = algorithm(for: .forward), relu = activation == .relu
        // Elementwise activations run in the kernels' epilogues; softmax (over a row of channels,
        // wider than a tile) and the reference path run one pass over the output afterwards.
        if activation == .softmax || (chosen == .reference && activation != .none && !relu) {
            if activation == .softmax && shape.layout == .nchw {
                throw ConvKitError.invalidArgument(
                    name: "activation", message: "softmax runs over the last axis, which is channels only in NHWC; got NCHW")
            }
            try forward(input: input, weights: weights, bias: bias, output: output, activation: .none, workspace: workspace)
            let count = shape.outputCount
            try ActivationKernel.forward(
                activation, UnsafeBufferPointer(start: output, count: count),
                into: UnsafeMutableBufferPointer(start: output, count: count), channels: shape.outputChannels,
                context: context)
            return
        }
        if chosen == .reference {
            let p = shape.referenceProblem
            let result = ReferenceConvolution.forward(
                p, input: Array(UnsafeBufferPointer(start: input, count: p.inputCount)),
                weights: Array(UnsafeBufferPointer(start: weights, count: p.weightCount)),
                bias: bias.map { Array(UnsafeBufferPointer(start: $0, count: p.outputChannels)) }, relu: relu)
            output.update(from: result, count: result.count)
            return
        }
        try withBuffers(.forward, workspace) { b in
            let s = shape.with(layout: .nhwc), nchw = shape.layout == .nchw
            let x = nchw ? LayoutConversion.toNHWC(input, s, into: b.input, images: .input) : input
            let w = nchw ? LayoutConversion.toHWIO(weights, s, into: b.weights) : weights
            let y = nchw ? b.output : output
            if chosen == .direct {
                let p = DirectProblem(forward: s)
                DirectConvolution.packForward(p, directKernel, weights: w, into: b.packed)
                DirectConvolution.forward(
                    p, kernel: directKernel, source: x, packedWeights: b.packed, bias: bias,
                    activation: activation, output: y, scratch: b.scratch, threads: threads(.forward))
            } else {
                Im2colConvolution.forward(
                    s, kernel: plan.gemmKernel(for: .forward)!, elementwise: context.kernels.elementwise, input: x, weights: w, bias: bias,
                    activation: activation, output: y, scratch: b.scratch, threads: threads(.forward))
            }
            if nchw { LayoutConversion.toNCHW(UnsafePointer(y), s, into: output, images: .output) }
        }
    }

    /// `inputGradient = dL/dInput` from `outputGradient = dL/dOutput` (overwritten, not added to).
    ///
    /// Preconditions (unchecked): `outputGradient` holds ``ConvolutionShape/outputCount`` floats,
    /// `weights` ``ConvolutionShape/weightCount``, `inputGradient` ``ConvolutionShape/inputCount``.
    func backwardData(
        outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>, workspace: Workspace? = nil
    ) throws {
        let chosen = algorithm(for: .backwardData)
        if chosen == .reference {
            let p = shape.referenceProblem
            let result = ReferenceConvolution.backwardData(
                p, outputGradient: Array(UnsafeBufferPointer(start: outputGradient, count: p.outputCount)),
                weights: Array(UnsafeBufferPointer(start: weights, count: p.weightCount)))
            inputGradient.update(from: result, count: result.count)
            return
        }
        try withBuffers(.backwardData, workspace) { b in
            let s = shape.with(layout: .nhwc), nchw = shape.layout == .nchw
            let dy = nchw ? LayoutConversion.toNHWC(outputGradient, s, into: b.output, images: .output) : outputGradient
            let w = nchw ? LayoutConversion.toHWIO(weights, s, into: b.weights) : weights
            let dx = nchw ? b.input : inputGradient
            if chosen == .direct && FewChannelBackwardData.applies(s, directKernel) {
                FewChannelBackwardData.run(
                    s, kernel: directKernel, outputGradient: dy, weights: w, inputGradient: dx,
                    threads: threads(.backwardData))
            } else if chosen == .direct {
                let p = DirectProblem(backwardData: s)
                DirectConvolution.packBackwardData(s, p, directKernel, weights: w, into: b.packed)
                DirectConvolution.forward(
                    p, kernel: directKernel, source: dy, packedWeights: b.packed, bias: nil,
                    activation: .none, output: dx, scratch: b.scratch, threads: threads(.backwardData))
            } else {
                Im2colConvolution.backwardData(
                    s, kernel: plan.gemmKernel(for: .backwardData)!, outputGradient: dy, weights: w, inputGradient: dx,
                    scratch: b.scratch, threads: threads(.backwardData))
            }
            if nchw { LayoutConversion.toNCHW(UnsafePointer(dx), s, into: inputGradient, images: .input) }
        }
    }

    /// `weightGradient = dL/dWeights` and, when given, `biasGradient = dL/dBias` (overwritten).
    /// Summed in a fixed order: the bits do not depend on the thread count.
    ///
    /// Preconditions (unchecked): `input` holds ``ConvolutionShape/inputCount`` floats,
    /// `outputGradient` ``ConvolutionShape/outputCount``, `weightGradient`
    /// ``ConvolutionShape/weightCount``, `biasGradient` `outputChannels`.
    func backwardWeights(
        input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
        workspace: Workspace? = nil
    ) throws {
        let chosen = algorithm(for: .backwardWeights)
        if chosen == .reference {
            let p = shape.referenceProblem
            let (dw, db) = ReferenceConvolution.backwardWeights(
                p, input: Array(UnsafeBufferPointer(start: input, count: p.inputCount)),
                outputGradient: Array(UnsafeBufferPointer(start: outputGradient, count: p.outputCount)))
            weightGradient.update(from: dw, count: dw.count)
            biasGradient?.update(from: db, count: db.count)
            return
        }
        try withBuffers(.backwardWeights, workspace) { b in
            let s = shape.with(layout: .nhwc), nchw = shape.layout == .nchw
            let x = nchw ? LayoutConversion.toNHWC(input, s, into: b.input, images: .input) : input
            let dy = nchw ? LayoutConversion.toNHWC(outputGradient, s, into: b.output, images: .output) : outputGradient
            let dw = nchw ? b.weights : weightGradient
            if chosen == .direct {
                DirectConvolution.backwardWeights(
                    s, kernel: directKernel, elementwise: context.kernels.elementwise, input: x, outputGradient: dy, weightGradient: dw,
                    biasGradient: biasGradient, scratch: b.scratch, threads: threads(.backwardWeights))
            } else {
                Im2colConvolution.backwardWeights(
                    s, kernel: plan.gemmKernel(for: .backwardWeights)!, elementwise: context.kernels.elementwise, input: x,
                    outputGradient: dy, weightGradient: dw,
                    biasGradient: biasGradient, scratch: b.scratch, threads: threads(.backwardWeights))
            }
            if nchw { LayoutConversion.toOIHW(UnsafePointer(dw), s, into: weightGradient) }
        }
    }

    // MARK: Buffer API

    /// ``forward(input:weights:bias:output:activation:workspace:)`` on buffers.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` naming any buffer whose length
    ///   is not what the shape needs.
    public func forward(
        input: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>,
        bias: UnsafeBufferPointer<Float>? = nil, output: UnsafeMutableBufferPointer<Float>,
        activation: Activation = .none, workspace: Workspace? = nil
    ) throws {
        try check("input", input.count, shape.inputCount)
        try check("weights", weights.count, shape.weightCount)
        if let bias { try check("bias", bias.count, shape.outputChannels) }
        try check("output", output.count, shape.outputCount)
        try ConvKitError.requireDisjoint(
            ("output", UnsafeRawBufferPointer(output)),
            from: ("input", UnsafeRawBufferPointer(input)), ("weights", UnsafeRawBufferPointer(weights)),
            ("bias", UnsafeRawBufferPointer(bias ?? UnsafeBufferPointer(start: nil, count: 0))))
        try forward(
            input: input.baseAddress!, weights: weights.baseAddress!, bias: bias?.baseAddress,
            output: output.baseAddress!, activation: activation, workspace: workspace)
    }

    /// ``backwardData(outputGradient:weights:inputGradient:workspace:)`` on buffers.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a buffer of the wrong length.
    public func backwardData(
        outputGradient: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>,
        inputGradient: UnsafeMutableBufferPointer<Float>, workspace: Workspace? = nil
    ) throws {
        try check("outputGradient", outputGradient.count, shape.outputCount)
        try check("weights", weights.count, shape.weightCount)
        try check("inputGradient", inputGradient.count, shape.inputCount)
        try ConvKitError.requireDisjoint(
            ("inputGradient", UnsafeRawBufferPointer(inputGradient)),
            from: ("outputGradient", UnsafeRawBufferPointer(outputGradient)),
            ("weights", UnsafeRawBufferPointer(weights)))
        try backwardData(
            outputGradient: outputGradient.baseAddress!, weights: weights.baseAddress!,
            inputGradient: inputGradient.baseAddress!, workspace: workspace)
    }

    /// ``backwardWeights(input:outputGradient:weightGradient:biasGradient:workspace:)`` on buffers.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for a buffer of the wrong length.
    public func backwardWeights(
        input: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
        weightGradient: UnsafeMutableBufferPointer<Float>,
        biasGradient: UnsafeMutableBufferPointer<Float>?, workspace: Workspace? = nil
    ) throws {
        try check("input", input.count, shape.inputCount)
        try check("outputGradient", outputGradient.count, shape.outputCount)
        try check("weightGradient", weightGradient.count, shape.weightCount)
        if let biasGradient { try check("biasGradient", biasGradient.count, shape.outputChannels) }
        let x = ("input", UnsafeRawBufferPointer(input)), dy = ("outputGradient", UnsafeRawBufferPointer(outputGradient))
        try ConvKitError.requireDisjoint(("weightGradient", UnsafeRawBufferPointer(weightGradient)), from: x, dy)
        if let biasGradient {
            try ConvKitError.requireDisjoint(
                ("biasGradient", UnsafeRawBufferPointer(biasGradient)),
                from: x, dy, ("weightGradient", UnsafeRawBufferPointer(weightGradient)))
        }
        try backwardWeights(
            input: input.baseAddress!, outputGradient: outputGradient.baseAddress!,
            weightGradient: weightGradient.baseAddress!, biasGradient: biasGradient?.baseAddress,
            workspace: workspace)
    }

    // MARK: Array API

    /// ``forward(input:weights:bias:output:activation:workspace:)`` on arrays.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` naming any array whose length is
    ///   not what the shape needs.
    public func forward(
        input: [Float], weights: [Float], bias: [Float]? = nil, output: inout [Float],
        activation: Activation = .none, workspace: Workspace? = nil
    ) throws {
        try input.withUnsafeBufferPointer { x in
            try weights.withUnsafeBufferPointer { w in
                try output.withUnsafeMutableBufferPointer { y in
                    if let bias {
                        try bias.withUnsafeBufferPointer { b in
                            try forward(input: x, weights: w, bias: b, output: y, activation: activation, workspace: workspace)
                        }
                    } else {
                        try forward(input: x, weights: w, bias: nil, output: y, activation: activation, workspace: workspace)
                    }
                }
            }
        }
    }

    /// ``backwardData(outputGradient:weights:inputGradient:workspace:)`` on arrays.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for an array of the wrong length.
    public func backwardData(
        outputGradient: [Float], weights: [Float], inputGradient: inout [Float],
        workspace: Workspace? = nil
    ) throws {
        try outputGradient.withUnsafeBufferPointer { dy in
            try weights.withUnsafeBufferPointer { w in
                try inputGradient.withUnsafeMutableBufferPointer { dx in
                    try backwardData(outputGradient: dy, weights: w, inputGradient: dx, workspace: workspace)
                }
            }
        }
    }

    /// ``backwardWeights(input:outputGradient:weightGradient:biasGradient:workspace:)`` on arrays.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for an array of the wrong length.
    public func backwardWeights(
        input: [Float], outputGradient: [Float], weightGradient: inout [Float],
        biasGradient: inout [Float], workspace: Workspace? = nil
    ) throws {
        try input.withUnsafeBufferPointer { x in
            try outputGradient.withUnsafeBufferPointer { dy in
                try weightGradient.withUnsafeMutableBufferPointer { dw in
                    try biasGradient.withUnsafeMutableBufferPointer { db in
                        try backwardWeights(
                            input: x, outputGradient: dy, weightGradient: dw, biasGradient: db,
                            workspace: workspace)
                    }
                }
            }
        }
    }

    private func check(_ name: String, _ count: Int, _ expected: Int) throws {
        guard count == expected else {
            throw ConvKitError.invalidArgument(
                name: name, message: "has \(count) elements but the shape \(shape) needs \(expected)")
        }
    }
}
