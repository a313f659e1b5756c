import ConvKit
import ConvKitReference
import Testing

@Suite("Convolution")
struct ConvolutionTests {
    static let algorithms: [ConvolutionAlgorithm] = [.direct, .im2col, .auto]
    static let contexts: [ExecutionContext] = ISA.supported.map { try! ExecutionContext(threads: 2, isa: $0) }

    @Test(
        "random shapes, integer fills: every algorithm, layout, pass and ISA matches the reference bitwise",
        arguments: algorithms)
    func randomShapesExact(algorithm: ConvolutionAlgorithm) throws {
        for (i, shape) in randomConvolutionShapes(count: 24, seed: 11).enumerated() {
            let e = ConvolutionExpectation(shape, integers: true, seed: UInt64(100 + i))
            for context in Self.contexts {
                for layout in TensorLayout.allCases {
                    try checkConvolution(e, algorithm: algorithm, layout: layout, context: context)
                }
            }
        }
    }

    @Test("random shapes, random fills: within a depth-scaled tolerance", arguments: algorithms)
    func randomShapesTolerance(algorithm: ConvolutionAlgorithm) throws {
        for (i, shape) in randomConvolutionShapes(count: 12, seed: 12).enumerated() {
            let e = ConvolutionExpectation(shape, integers: false, seed: UInt64(200 + i))
            for context in Self.contexts {
                try checkConvolution(e, algorithm: algorithm, layout: .nhwc, context: context)
            }
        }
    }

    @Test("hand-picked edge cases", arguments: algorithms)
    func edgeCases(algorithm: ConvolutionAlgorithm) throws {
        for (i, shape) in try edgeConvolutionShapes().enumerated() {
            let e = ConvolutionExpectation(shape, integers: true, seed: UInt64(300 + i))
            for context in Self.contexts {
                for layout in TensorLayout.allCases {
                    try checkConvolution(e, algorithm: algorithm, layout: layout, context: context)
                }
            }
        }
    }

    @Test("forward with fused ReLU", arguments: algorithms)
    func fusedReLU(algorithm: ConvolutionAlgorithm) throws {
        for (i, shape) in try edgeConvolutionShapes().enumerated() {
            let e = ConvolutionExpectation(shape, integers: true, seed: UInt64(400 + i), relu: true)
            for context in Self.contexts {
                try checkConvolution(e, algorithm: algorithm, layout: .nhwc, context: context, relu: true)
            }
        }
    }

    @Test("every row count and a full, a partial and a second column panel of every direct kernel, each body of the weight-gradient kernel")
    func everyDirectTile() throws {
        for table in KernelTable.available {
            let kernel = table.convolution
            let context = try ExecutionContext(threads: 1, isa: kernel.isa)
            #expect(context.kernels.convolution.name == kernel.name)
            for m in 1...kernel.mr {
                for cout in [1, kernel.nr, kernel.nr + 3] {
                    // Forward / backward-data: one image row of m output pixels is one tile of m rows.
                    let wide = try ConvolutionShape(
                        batch: 1, inputHeight: 1, inputWidth: m, inputChannels: 3, outputChannels: cout,
                        descriptor: ConvolutionDescriptor(kernel: 1))
                    // Backward-weights: a 1x1 kernel over m input channels is one tile of m weight rows.
                    let deep = try ConvolutionShape(
                        batch: 2, inputHeight: 3, inputWidth: 2, inputChannels: m, outputChannels: cout,
                        descriptor: ConvolutionDescriptor(kernel: 1))
                    for shape in [wide, deep] {
                        let seed = UInt64(m * 100 + cout)
                        try checkConvolution(
                            ConvolutionExpectation(shape, integers: true, seed: seed),
                            algorithm: .direct, layout: .nhwc, context: context)
                        try checkConvolution(
                            ConvolutionExpectation(shape, integers: true, seed: seed, relu: true),
                            algorithm: .direct, layout: .nhwc, context: context, relu: true)
                    }
                    // Backward-weights bodies that prefetch (an image's gradient of 16 KiB or more:
                    // 64 x 64 pixels x cout floats) and whose m weight rows are not consecutive
                    // floats (an m x 1 kernel over one channel: one row per kernel row; its gradient
                    // reaches 16 KiB only for cout >= NR).
                    let deepLarge = try ConvolutionShape(
                        batch: 1, inputHeight: 64, inputWidth: 64, inputChannels: m,
                        outputChannels: cout, descriptor: ConvolutionDescriptor(kernel: 1))
                    let tall = try ConvolutionShape(
                        batch: 1, inputHeight: 40, inputWidth: 24, inputChannels: 1, outputChannels: cout,
                        descriptor: ConvolutionDescriptor(kernelHeight: m, kernelWidth: 1))
                    for shape in [deepLarge, tall] {
                        try checkConvolution(
                            ConvolutionExpectation(shape, integers: true, seed: UInt64(m * 100 + cout + 50)),
                            algorithm: .direct, layout: .nhwc, context: context)
                    }
                }
            }
        }
    }

    @Test("few-input-channel backward data (1-4 channels, stride 1): borders, padding, dilation, every ISA, exact")
    func fewChannelBackwardData() throws {
        // Widths around the 4-pixel blocks and borders; output channels 1-3 vectors of every ISA.
        var shapes: [ConvolutionShape] = []
        for (i, cin) in [1, 2, 3, 4].enumerated() {
            for (w, cout, padding, dilation) in [
                (12, 32, Padding.valid, 1), (9, 16, .same, 1), (13, 48, .symmetric(2, 1), 2),
                (5, 8, .same, 1), (16, 4, .valid, 1),
            ] {
                shapes.append(
                    try ConvolutionShape(
                        batch: 1 + i % 2, inputHeight: 7 + i, inputWidth: w, inputChannels: cin,
                        outputChannels: cout,
                        descriptor: ConvolutionDescriptor(kernel: 3, dilation: dilation, padding: padding)))
            }
        }
        var covered = Set<String>()
        for (i, shape) in shapes.enumerated() {
            let e = ConvolutionExpectation(shape, integers: true, seed: UInt64(700 + i))
            for context in Self.contexts {
                let kernel = context.kernels.convolution
                if shape.outputChannels % (kernel.nr / 2) == 0 {
                    covered.insert(kernel.name)
                    let auto = try Convolution(shape: shape, context: context)
                    #expect(auto.algorithm(for: .backwardData) == .direct, "\(shape)")
                    #expect(auto.describe().contains(kernel.fewChannelName), "\(auto.describe())")
                }
                for layout in TensorLayout.allCases {
                    try checkConvolution(e, algorithm: .direct, layout: layout, context: context)
                }
            }
        }
        #expect(covered.count == KernelTable.available.count, "kernels covered: \(covered)")
    }

    @Test("backward-weights summed over several batch chunks (a large enough problem) matches the reference")
    func chunkedBackwardWeights() throws {
        // 74 MFLOP per pass: the direct and im2col backward-weights both split the batch into chunks.
        let shape = try ConvolutionShape(
            batch: 8, inputHeight: 20, inputWidth: 20, inputChannels: 32, outputChannels: 40,
            descriptor: ConvolutionDescriptor(kernel: 3, padding: .same))
        let e = ConvolutionExpectation(shape, integers: true, seed: 17)
        for algorithm in [ConvolutionAlgorithm.direct, .im2col] {
            try checkConvolution(e, algorithm: algorithm, layout: .nhwc, context: ExecutionContext(threads: 2))
        }
    }

    @Test("im2col backward-data lowers several whole images per slice, the last group partial")
    func im2colBackwardDataImageGroups() throws {
        // Depth 9 * 64 = 576 gives slices of 113 rows: two 7x7 images per work item, five images
        // in items of 2, 2 and 1.
        let shape = try ConvolutionShape(
            batch: 5, inputHeight: 9, inputWidth: 9, inputChannels: 64, outputChannels: 20,
            descriptor: ConvolutionDescriptor(kernel: 3))
        let e = ConvolutionExpectation(shape, integers: true, seed: 19)
        for isa in ISA.supported {
            for threads in [1, 2] {
                try checkConvolution(e, algorithm: .im2col, layout: .nhwc, context: ExecutionContext(threads: threads, isa: isa))
            }
        }
    }

    @Test("auto follows its documented rule on the CIFAR-10 layers (every pass, every ISA)")
    func automaticChoiceOnCIFARLayers() throws {
        let conv1 = try ConvolutionShape(
            batch: 64, inputHeight: 32, inputWidth: 32, inputChannels: 3, outputChannels: 32,
            descriptor: ConvolutionDescriptor(kernel: 3))
        let conv2 = try ConvolutionShape(
            batch: 64, inputHeight: 15, inputWidth: 15, inputChannels: 32, outputChannels: 64,
            descriptor: ConvolutionDescriptor(kernel: 3))
        let conv3 = try ConvolutionShape(
            batch: 64, inputHeight: 6, inputWidth: 6, inputChannels: 64, outputChannels: 64,
            descriptor: ConvolutionDescriptor(kernel: 3))
        let strided = try ConvolutionShape(
            batch: 2, inputHeight: 16, inputWidth: 16, inputChannels: 32, outputChannels: 32,
            descriptor: ConvolutionDescriptor(kernel: 3, stride: 2, padding: .same))
        for isa in ISA.supported {
            let context = try ExecutionContext(threads: 1, isa: isa)
            func auto(_ s: ConvolutionShape, _ pass: ConvolutionPass) throws -> ConvolutionAlgorithm {
                try Convolution(shape: s, context: context).algorithm(for: pass)
            }
            for shape in [conv1, conv2, conv3] {
                #expect(try auto(shape, .forward) == .direct)
                #expect(try auto(shape, .backwardWeights) == .direct)
            }
            #expect(try auto(conv1, .backwardData) == .direct)  // the few-channel kernel
            #expect(try auto(conv2, .backwardData) == .direct)  // 13 / 15 of the taps it runs are useful
            #expect(try auto(conv3, .backwardData) == .im2col)  // 4 / 6
            #expect(try auto(strided, .backwardData) == .im2col)
            // describe() names each pass's implementation and the reason.
            let text = try Convolution(shape: conv3, context: context).describe()
            #expect(
                text.contains("backwardData: im2col") && text.contains("67% of the taps") && text.contains(context.kernels.convolution.name),
                "\(text)")
            #expect(try Convolution(shape: strided, context: context).describe().contains("stride above 1"))
            // A pass's threads follow its work: conv3 at batch 1 (1.2 MFLOP) stays on one thread.
            let small = try ConvolutionShape(
                batch: 1, inputHeight: 6, inputWidth: 6, inputChannels: 64, outputChannels: 64,
                descriptor: ConvolutionDescriptor(kernel: 3))
            let smallText = try Convolution(shape: small, context: ExecutionContext(threads: 2, isa: isa)).describe()
            #expect(smallText.components(separatedBy: ", 1 thread - ").count == 4, "\(smallText)")
            let largeText = try Convolution(shape: conv2, context: ExecutionContext(threads: 2, isa: isa)).describe()
            #expect(largeText.components(separatedBy: ", 2 threads - ").count == 4, "\(largeText)")
            let im2col = try Convolution(shape: conv2, algorithm: .im2col, context: context).describe()
            #expect(context.kernels.gemm.contains { im2col.contains("forward: im2col (\($0.name)") }, "\(im2col)")
        }
    }

    @Test(".reference runs ConvKitReference's loops")
    func referenceAlgorithm() throws {
        let shape = try edgeConvolutionShapes()[7]
        let e = ConvolutionExpectation(shape, integers: true, seed: 5)
        try checkConvolution(e, algorithm: .reference, layout: .nhwc, context: try ExecutionContext(threads: 1))
        try checkConvolution(e, algorithm: .reference, layout: .nchw, context: try ExecutionContext(threads: 1))
    }

    @Test("results are bitwise identical for 1, 2, 3 and 4 threads", arguments: algorithms)
    func deterministicAcrossThreads(algorithm: ConvolutionAlgorithm) throws {
        // Large enough that backward-weights splits the batch into several chunks.
        let shape = try ConvolutionShape(
            batch: 8, inputHeight: 17, inputWidth: 17, inputChannels: 24, outputChannels: 40,
            descriptor: ConvolutionDescriptor(kernel: 3, padding: .same))
        let x = convolutionData(count: shape.inputCount, integers: false, seed: 1)
        let w = convolutionData(count: shape.weightCount, integers: false, seed: 2)
        let dy = convolutionData(count: shape.outputCount, integers: false, seed: 3)
        var results: [[Float]] = []
        for threads in 1...4 {
            let conv = try Convolution(shape: shape, algorithm: algorithm, context: ExecutionContext(threads: threads))
            var y = [Float](repeating: 0, count: shape.outputCount)
            var dx = [Float](repeating: 0, count: shape.inputCount)
            var dw = [Float](repeating: 0, count: shape.weightCount)
            var db = [Float](repeating: 0, count: shape.outputChannels)
            try conv.forward(input: x, weights: w, output: &y)
            try conv.backwardData(outputGradient: dy, weights: w, inputGradient: &dx)
            try conv.backwardWeights(input: x, outputGradient: dy, weightGradient: &dw, biasGradient: &db)
            results.append(y + dx + dw + db)
        }
        for t in 1..<4 {
            #expect(results[t].map(\.bitPattern) == results[0].map(\.bitPattern), "threads \(t + 1) differ from 1")
        }
    }

    @Test("backward passes agree with finite differences of the forward pass (in Double)")
    func finiteDifferences() throws {
        let shapes = [
            try ConvolutionShape(
                batch: 2, inputHeight: 5, inputWidth: 6, inputChannels: 3, outputChannels: 4,
                descriptor: ConvolutionDescriptor(kernel: 3, stride: 2, padding: .same)),
            try ConvolutionShape(
                batch: 1, inputHeight: 6, inputWidth: 5, inputChannels: 4, outputChannels: 6,
                descriptor: ConvolutionDescriptor(
                    kernelHeight: 2, kernelWidth: 3, dilationY: 2,
                    padding: .symmetric(1, 0), groups: 2)),
        ]
        for shape in shapes {
            let p = referenceProblem(shape)
            let x = convolutionData(count: shape.inputCount, integers: false, seed: 7)
            let w = convolutionData(count: shape.weightCount, integers: false, seed: 8)
            let r = convolutionData(count: shape.outputCount, integers: false, seed: 9)  // L = sum(r * y)
            func loss(_ x: [Double], _ w: [Double]) -> Double {
                zip(ReferenceConvolution.forwardInDouble(p, input: x, weights: w), r).reduce(0) { $0 + $1.0 * Double($1.1) }
            }
            let xd = x.map(Double.init), wd = w.map(Double.init), h = 1e-6
            for algorithm in [ConvolutionAlgorithm.direct, .im2col] {
                let conv = try Convolution(shape: shape, algorithm: algorithm)
                var dx = [Float](repeating: 0, count: shape.inputCount)
                var dw = [Float](repeating: 0, count: shape.weightCount)
                var db = [Float](repeating: 0, count: shape.outputChannels)
                try conv.backwardData(outputGradient: r, weights: w, inputGradient: &dx)
                try conv.backwardWeights(input: x, outputGradient: r, weightGradient: &dw, biasGradient: &db)
                for i in 0..<x.count {
                    var plus = xd, minus = xd
                    plus[i] += h
                    minus[i] -= h
                    let fd = (loss(plus, wd) - loss(minus, wd)) / (2 * h)
                    #expect(abs(fd - Double(dx[i])) <= 1e-4 * max(1, abs(fd)), "\(algorithm) dL/dx[\(i)] \(dx[i]) vs \(fd) '\(shape)'")
                }
                for i in 0..<w.count {
                    var plus = wd, minus = wd
                    plus[i] += h
                    minus[i] -= h
                    let fd = (loss(xd, plus) - loss(xd, minus)) / (2 * h)
                    #expect(abs(fd - Double(dw[i])) <= 1e-4 * max(1, abs(fd)), "\(algorithm) dL/dw[\(i)] \(dw[i]) vs \(fd) '\(shape)'")
                }
            }
        }
    }

    @Test("output size formula and TensorFlow 'same' padding")
    func shapes() throws {
        let same = try ConvolutionShape(
            batch: 1, inputHeight: 11, inputWidth: 10, inputChannels: 1, outputChannels: 1,
            descriptor: ConvolutionDescriptor(kernel: 3, stride: 2, padding: .same))
        #expect(same.outputHeight == 6 && same.outputWidth == 5)
        #expect(same.padTop == 1 && same.padBottom == 1)  // total 2
        #expect(same.padLeft == 0 && same.padRight == 1)  // total 1: the extra column on the right
        let explicit = try ConvolutionShape(
            batch: 1, inputHeight: 7, inputWidth: 7, inputChannels: 1, outputChannels: 1,
            descriptor: ConvolutionDescriptor(
                kernel: 3, stride: 2, dilation: 2,
                padding: .explicit(top: 1, bottom: 0, left: 2, right: 2)))
        #expect(explicit.outputHeight == (7 + 1 - 4 - 1) / 2 + 1)
        #expect(explicit.outputWidth == (7 + 4 - 4 - 1) / 2 + 1)
    }

    @Test("invalid descriptors and mismatched buffers throw errors that say what is wrong")
    func invalidInput() throws {
        #expect(throws: ConvKitError.self) { try ConvolutionDescriptor(kernel: 0) }
        #expect(throws: ConvKitError.self) { try ConvolutionDescriptor(kernel: 3, stride: 0) }
        #expect(throws: ConvKitError.self) { try ConvolutionDescriptor(kernel: 3, padding: .explicit(top: -1, bottom: 0, left: 0, right: 0)) }
        do {
            _ = try ConvolutionShape(
                batch: 1, inputHeight: 4, inputWidth: 4, inputChannels: 3, outputChannels: 8,
                descriptor: ConvolutionDescriptor(kernel: 5))
            Issue.record("an empty output did not throw")
        } catch let error as ConvKitError {
            #expect("\(error)".contains("5 x 5") && "\(error)".contains("4 x 4"), "\(error)")
        }
        #expect(throws: ConvKitError.self) {
            try ConvolutionShape(
                batch: 1, inputHeight: 4, inputWidth: 4, inputChannels: 3, outputChannels: 8,
                descriptor: ConvolutionDescriptor(kernel: 1, groups: 2))
        }
        let shape = try ConvolutionShape(
            batch: 1, inputHeight: 4, inputWidth: 4, inputChannels: 3, outputChannels: 8,
            descriptor: ConvolutionDescriptor(kernel: 3))
        let conv = try Convolution(shape: shape)
        var y = [Float](repeating: 0, count: shape.outputCount)
        do {
            try conv.forward(input: [Float](repeating: 0, count: 47), weights: [Float](repeating: 0, count: shape.weightCount), output: &y)
            Issue.record("a short input did not throw")
        } catch let ConvKitError.invalidArgument(name, message) {
            #expect(name == "input" && message.contains("47") && message.contains("48"), "\(message)")
        }
        var short = [Float](repeating: 0, count: 3)
        #expect(throws: ConvKitError.self) {
            try conv.backwardData(outputGradient: y, weights: [Float](repeating: 0, count: shape.weightCount), inputGradient: &short)
        }
    }

    @Test("a reused workspace serves every pass and is sized by workspaceCount(for:)")
    func workspaceReuse() throws {
        let shape = try ConvolutionShape(
            batch: 2, inputHeight: 9, inputWidth: 9, inputChannels: 5, outputChannels: 7,
            descriptor: ConvolutionDescriptor(kernel: 3, padding: .same))
        let e = ConvolutionExpectation(shape, integers: true, seed: 77)
        let workspace = Workspace()
        for algorithm in [ConvolutionAlgorithm.direct, .im2col] {
            let conv = try Convolution(shape: shape, algorithm: algorithm)
            let need = ConvolutionPass.allCases.map { conv.workspaceCount(for: $0) }.max()!
            try workspace.reserve(need)
            let capacity = workspace.capacity
            var y = [Float](repeating: 0, count: shape.outputCount)
            for _ in 0..<2 {
                try conv.forward(input: e.input, weights: e.weights, bias: e.bias, output: &y, workspace: workspace)
                #expect(y == e.output)
            }
            #expect(workspace.capacity == capacity, "a call grew a workspace already sized by workspaceCount")
        }
    }
}
