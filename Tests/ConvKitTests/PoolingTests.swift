import ConvKit
import ConvKitReference
import Testing

func referenceProblem(_ s: PoolingShape) -> ReferencePoolingProblem {
    ReferencePoolingProblem(
        batch: s.batch, inputHeight: s.inputHeight, inputWidth: s.inputWidth, channels: s.channels,
        windowHeight: s.descriptor.windowHeight, windowWidth: s.descriptor.windowWidth,
        strideY: s.descriptor.strideY, strideX: s.descriptor.strideX, padTop: s.padTop, padBottom: s.padBottom,
        padLeft: s.padLeft, padRight: s.padRight, outputHeight: s.outputHeight, outputWidth: s.outputWidth,
        countIncludePadding: s.descriptor.countIncludePadding, channelsFirst: s.layout == .nchw)
}

/// Random pooling shapes over every option: window 1-4, stride 1-3, valid/same/explicit padding,
/// ceilMode, countIncludePadding, channels 1-40, both layouts. Invalid combinations are skipped.
func randomPoolingShapes(count: Int, seed: UInt64) -> [PoolingShape] {
    var g = TestGenerator(seed: seed)
    var shapes: [PoolingShape] = []
    while shapes.count < count {
        let kh = Int.random(in: 1...4, using: &g), kw = Int.random(in: 1...4, using: &g)
        let padding: Padding =
            switch Int.random(in: 0..<3, using: &g) {
            case 0: .valid
            case 1: .same
            default:
                .explicit(
                    top: Int.random(in: 0...kh / 2, using: &g), bottom: Int.random(in: 0...kh / 2, using: &g),
                    left: Int.random(in: 0...kw / 2, using: &g), right: Int.random(in: 0...kw / 2, using: &g))
            }
        guard
            let d = try? PoolingDescriptor(
                windowHeight: kh, windowWidth: kw, strideY: Int.random(in: 1...3, using: &g),
                strideX: Int.random(in: 1...3, using: &g), padding: padding,
                ceilMode: Bool.random(using: &g), countIncludePadding: Bool.random(using: &g)),
            let s = try? PoolingShape(
                batch: Int.random(in: 1...3, using: &g), inputHeight: Int.random(in: 1...13, using: &g),
                inputWidth: Int.random(in: 1...13, using: &g), channels: Int.random(in: 1...40, using: &g),
                descriptor: d, layout: Bool.random(using: &g) ? .nhwc : .nchw)
        else { continue }
        shapes.append(s)
    }
    return shapes
}

@Suite("Pooling")
struct PoolingTests {
    /// Every ISA's kernel set, on 1 and 3 threads.
    static let contexts: [ExecutionContext] = ISA.supported.flatMap { isa in
        [1, 3].map { try! ExecutionContext(threads: $0, isa: isa) }
    }

    /// Windows that tile the input (stride == window, no padding): the single-pass max backward.
    static func tiledShapes() throws -> [PoolingShape] {
        try [(2, 30, 30, 32), (3, 7, 8, 5), (2, 13, 13, 64), (4, 9, 12, 17)].map { w, h, wd, c in
            try PoolingShape(batch: 2, inputHeight: h, inputWidth: wd, channels: c, descriptor: PoolingDescriptor(window: w))
        }
    }

    @Test("max pooling matches the reference exactly (values, indices, gradients), every option, layout and ISA")
    func maxPoolingMatchesReference() throws {
        for (i, s) in try (randomPoolingShapes(count: 80, seed: 21) + Self.tiledShapes() + Self.channelGroupShapes()).enumerated() {
            let x = convolutionData(count: s.inputCount, integers: true, seed: UInt64(i))  // integers: many ties
            let dy = convolutionData(count: s.outputCount, integers: true, seed: UInt64(1000 + i))
            let p = referenceProblem(s)
            let expected = ReferencePooling.maxForward(p, input: x)
            for context in Self.contexts {
                let pool = try MaxPooling(shape: s, context: context)
                var y = [Float](repeating: .nan, count: s.outputCount)
                var idx: [Int32]? = [Int32](repeating: -7, count: s.outputCount)
                try pool.forward(input: x, output: &y, indices: &idx)
                #expect(y == expected.output, "forward \(s) \(context.isa)")
                #expect(idx! == expected.indices, "indices \(s) \(context.isa)")
                var inference = [Float](repeating: .nan, count: s.outputCount)
                var none: [Int32]? = nil
                try pool.forward(input: x, output: &inference, indices: &none)
                #expect(inference == expected.output, "inference forward \(s)")
                var dx = [Float](repeating: .nan, count: s.inputCount)
                try pool.backward(outputGradient: dy, indices: idx!, inputGradient: &dx)
                #expect(dx == ReferencePooling.maxBackward(p, outputGradient: dy, indices: expected.indices), "backward \(s) \(context.isa)")
            }
        }
    }

    /// Channel counts that take every group of 16-channel blocks the kernels run together (64, 32
    /// and 16 channels) and a tail of single channels (115 = 64 + 32 + 16 + 3, 48 = 32 + 16), and
    /// windows overlapping so much that an element lies in more windows than the backward passes
    /// list per element (5 x 5 at stride 1: up to 25), which they then visit block by block.
    static func channelGroupShapes() throws -> [PoolingShape] {
        try [
            (115, PoolingDescriptor(window: 3, stride: 2, padding: .same)),
            (48, PoolingDescriptor(window: 3, stride: 2, padding: .same)),
            (115, PoolingDescriptor(window: 5, stride: 1, padding: .same, countIncludePadding: false)),
            (48, PoolingDescriptor(window: 5, stride: 1, padding: .valid)),
        ].map { c, d in
            try PoolingShape(batch: 2, inputHeight: 9, inputWidth: 11, channels: c, descriptor: d)
        }
    }

    /// Windows of more than 1024 elements, with and without the padding counted, 16-channel blocks
    /// and a tail: many more windows over an element than the backward pass lists.
    static func largeWindowShapes() throws -> [PoolingShape] {
        try [true, false].map { include in
            let d = try PoolingDescriptor(
                windowHeight: 33, windowWidth: 32, strideY: 2, strideX: 3,
                padding: .explicit(top: 3, bottom: 5, left: 2, right: 4), countIncludePadding: include)
            return try PoolingShape(batch: 1, inputHeight: 40, inputWidth: 38, channels: 19, descriptor: d)
        }
    }

    @Test("average pooling matches the reference within a window-scaled tolerance, every option, layout and ISA")
    func averagePoolingMatchesReference() throws {
        for (i, s) in try (randomPoolingShapes(count: 80, seed: 22) + Self.largeWindowShapes() + Self.channelGroupShapes()).enumerated() {
            let x = convolutionData(count: s.inputCount, integers: false, seed: UInt64(i))
            let dy = convolutionData(count: s.outputCount, integers: false, seed: UInt64(2000 + i))
            let p = referenceProblem(s)
            let tolerance: Float = 2e-6 * Float(s.descriptor.windowHeight * s.descriptor.windowWidth)
            let ey = ReferencePooling.averageForward(p, input: x)
            let edx = ReferencePooling.averageBackward(p, outputGradient: dy)
            // Backward: a sum of at most `covering` terms g / divisor, each rounded about three
            // times; the bound scales the sum of their magnitudes (the reference on |dy|).
            let magnitude = ReferencePooling.averageBackward(p, outputGradient: dy.map(abs))
            let covering =
                ((s.descriptor.windowHeight + s.descriptor.strideY - 1) / s.descriptor.strideY)
                * ((s.descriptor.windowWidth + s.descriptor.strideX - 1) / s.descriptor.strideX)
            let relative = 2.4e-7 * Float(covering + 3)
            for context in Self.contexts {
                let pool = try AveragePooling(shape: s, context: context)
                var y = [Float](repeating: .nan, count: s.outputCount)
                try pool.forward(input: x, output: &y)
                #expect(zip(y, ey).allSatisfy { abs($0 - $1) <= tolerance }, "forward \(s) \(context.isa)")
                var dx = [Float](repeating: .nan, count: s.inputCount)
                try pool.backward(outputGradient: dy, inputGradient: &dx)
                let outside = zip(zip(dx, edx), magnitude).count { pair, m in !(abs(pair.0 - pair.1) <= relative * m) }
                #expect(outside == 0, "backward \(s) \(context.isa): \(outside) elements out of tolerance")
            }
        }
    }

    @Test("backward passes with input gradients of 16 MiB and more (streaming stores) match the reference, every ISA")
    func largeBackwardMatchesReference() throws {
        // 2 x 128 x 128 x 128 floats = 16 MiB: the size from which backward streams its stores.
        // Overlapping windows (the gather over listed windows) and windows that tile the input
        // (max pooling's single-window path), each streaming.
        for d in [try PoolingDescriptor(window: 3, stride: 2, padding: .same), try PoolingDescriptor(window: 2)] {
            let s = try PoolingShape(batch: 2, inputHeight: 128, inputWidth: 128, channels: 128, descriptor: d)
            let x = convolutionData(count: s.inputCount, integers: true, seed: 41)
            let dy = convolutionData(count: s.outputCount, integers: true, seed: 42)  // integers: sums exact
            let p = referenceProblem(s)
            let expected = ReferencePooling.maxForward(p, input: x)
            let maxExpected = ReferencePooling.maxBackward(p, outputGradient: dy, indices: expected.indices)
            let averageExpected = ReferencePooling.averageBackward(p, outputGradient: dy)
            for isa in ISA.supported {
                let context = try ExecutionContext(threads: 2, isa: isa)
                var dx = [Float](repeating: .nan, count: s.inputCount)
                try MaxPooling(shape: s, context: context).backward(outputGradient: dy, indices: expected.indices, inputGradient: &dx)
                // Counted, not compared as arrays: a failure must not print 4M elements.
                let maxMismatches = zip(dx, maxExpected).count { $0.bitPattern != $1.bitPattern }
                #expect(maxMismatches == 0, "max backward \(s) \(isa): \(maxMismatches) elements differ")
                dx = [Float](repeating: .nan, count: s.inputCount)
                try AveragePooling(shape: s, context: context).backward(outputGradient: dy, inputGradient: &dx)
                let averageMismatches = zip(dx, averageExpected).count { !(abs($0 - $1) <= 1e-5 * max(1, abs($1))) }
                #expect(averageMismatches == 0, "average backward \(s) \(isa): \(averageMismatches) elements out of tolerance")
            }
        }
    }

    @Test("max pooling backward of a -0 gradient gives +0, as a scatter onto zero does (tiled, overlapping, every ISA)")
    func negativeZeroGradient() throws {
        for d in [try PoolingDescriptor(window: 2), try PoolingDescriptor(window: 3, stride: 2, padding: .same)] {
            let s = try PoolingShape(batch: 2, inputHeight: 7, inputWidth: 6, channels: 19, descriptor: d)
            let x = convolutionData(count: s.inputCount, integers: false, seed: 9)
            for context in Self.contexts {
                let pool = try MaxPooling(shape: s, context: context)
                var y = [Float](repeating: 0, count: s.outputCount)
                var idx: [Int32]? = [Int32](repeating: 0, count: s.outputCount)
                try pool.forward(input: x, output: &y, indices: &idx)
                var dx = [Float](repeating: .nan, count: s.inputCount)
                try pool.backward(outputGradient: [Float](repeating: -0.0, count: s.outputCount), indices: idx!, inputGradient: &dx)
                #expect(dx.allSatisfy { $0.bitPattern == 0 }, "\(s) \(context.isa)")
            }
        }
    }

    @Test("max pooling backward rejects indices outside their own window, naming the element")
    func misplacedIndices() throws {
        // NHWC: element 3 is output (0, 1), channel 1. NCHW: element 3 is channel 0, output (1, 1).
        for (layout, window) in [(TensorLayout.nhwc, "window of output (0, 1)"), (.nchw, "window of output (1, 1)")] {
            let s = try PoolingShape(
                batch: 1, inputHeight: 4, inputWidth: 4, channels: 2, descriptor: PoolingDescriptor(window: 2),
                layout: layout)
            var x = [Float](repeating: 0, count: s.inputCount)
            for i in x.indices { x[i] = Float(i % 7) }
            var y = [Float](repeating: 0, count: s.outputCount)
            var idx: [Int32]? = [Int32](repeating: 0, count: s.outputCount)
            try MaxPooling(shape: s).forward(input: x, output: &y, indices: &idx)
            var dx = [Float](repeating: 0, count: s.inputCount)
            try MaxPooling(shape: s).backward(outputGradient: y, indices: idx!, inputGradient: &dx)
            // Element 3 pointing at input element 0: in the image, not in its window.
            var bad = idx!
            bad[3] = 0
            do {
                try MaxPooling(shape: s).backward(outputGradient: y, indices: bad, inputGradient: &dx)
                Issue.record("misplaced index accepted (\(layout))")
            } catch let ConvKitError.invalidArgument(name, message) {
                #expect(name == "indices")
                #expect(message.contains("element 3 is 0") && message.contains(window), "\(layout): \(message)")
            }
        }
    }

    @Test("finite-difference gradient checks of max (away from ties) and average pooling")
    func finiteDifferences() throws {
        let d = try PoolingDescriptor(
            window: 3, stride: 2, padding: .explicit(top: 1, bottom: 0, left: 1, right: 1),
            ceilMode: true, countIncludePadding: false)
        let s = try PoolingShape(batch: 2, inputHeight: 6, inputWidth: 7, channels: 3, descriptor: d)
        // Distinct values: no ties, so max is differentiable at x.
        var g = TestGenerator(seed: 5)
        let x = (0..<s.inputCount).map { Float($0) * 0.01 + Float.random(in: 0..<0.001, using: &g) }.shuffled(using: &g)
        let r = convolutionData(count: s.outputCount, integers: false, seed: 6)
        let h: Float = 1e-3
        for isMax in [true, false] {
            func loss(_ v: [Float]) throws -> Double {
                var y = [Float](repeating: 0, count: s.outputCount)
                var none: [Int32]? = nil
                if isMax {
                    try MaxPooling(shape: s).forward(input: v, output: &y, indices: &none)
                } else {
                    try AveragePooling(shape: s).forward(input: v, output: &y)
                }
                return zip(y, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
            var dx = [Float](repeating: 0, count: s.inputCount)
            if isMax {
                var y = [Float](repeating: 0, count: s.outputCount)
                var idx: [Int32]? = [Int32](repeating: 0, count: s.outputCount)
                try MaxPooling(shape: s).forward(input: x, output: &y, indices: &idx)
                try MaxPooling(shape: s).backward(outputGradient: r, indices: idx!, inputGradient: &dx)
            } else {
                try AveragePooling(shape: s).backward(outputGradient: r, inputGradient: &dx)
            }
            for i in 0..<x.count {
                var plus = x, minus = x
                plus[i] += h
                minus[i] -= h
                let fd = (try loss(plus) - loss(minus)) / Double(2 * h)
                #expect(abs(fd - Double(dx[i])) < 2e-3, "\(isMax ? "max" : "avg") dL/dx[\(i)]: \(dx[i]) vs \(fd)")
            }
        }
    }

    @Test("ties take the first element, NaN propagates, padding never wins, in the vector and tail lanes of every ISA")
    func tiesAndNaN() throws {
        // The same pattern in 37 channels: the vectorised body and its scalar tail both see it.
        let c = 37
        func spread(_ values: [Float]) -> [Float] { values.flatMap { [Float](repeating: $0, count: c) } }
        let s = try PoolingShape(batch: 1, inputHeight: 2, inputWidth: 4, channels: c, descriptor: PoolingDescriptor(window: 2))
        let padded = try PoolingShape(
            batch: 1, inputHeight: 2, inputWidth: 2, channels: c,
            descriptor: PoolingDescriptor(window: 2, stride: 1, padding: .symmetric(1, 1)))
        for context in Self.contexts {
            var y = [Float](repeating: 0, count: 2 * c)
            var idx: [Int32]? = [Int32](repeating: 0, count: 2 * c)
            try MaxPooling(shape: s, context: context).forward(input: spread([5, 5, 1, .nan, 5, 5, .nan, 9]), output: &y, indices: &idx)
            for ch in 0..<c {
                #expect(y[ch] == 5 && idx![ch] == 0, "tie, channel \(ch), \(context.isa)")
                #expect(y[c + ch].isNaN && idx![c + ch] == 6, "NaN, channel \(ch), \(context.isa)")  // the last NaN, as PyTorch records it
            }
            var out = [Float](repeating: 0, count: padded.outputCount)
            var none: [Int32]? = nil
            try MaxPooling(shape: padded, context: context).forward(input: spread([-1, -2, -3, -4]), output: &out, indices: &none)
            #expect(out == spread([-1, -1, -2, -1, -1, -2, -3, -3, -4]), "padding, \(context.isa)")
        }
    }

    @Test("output sizes: ceilMode edges, 1x1 windows, window equal to the input; invalid arguments throw")
    func sizesAndErrors() throws {
        // PyTorch: 5 -> window 2 stride 2: floor 2, ceil 3; 4 with pad 1 ceil: the last window would start in the padding.
        #expect(try PoolingShape(batch: 1, inputHeight: 5, inputWidth: 5, channels: 1, descriptor: PoolingDescriptor(window: 2)).outputHeight == 2)
        #expect(
            try PoolingShape(batch: 1, inputHeight: 5, inputWidth: 5, channels: 1, descriptor: PoolingDescriptor(window: 2, ceilMode: true)).outputHeight == 3)
        #expect(
            try PoolingShape(
                batch: 1, inputHeight: 4, inputWidth: 4, channels: 1,
                descriptor: PoolingDescriptor(window: 2, stride: 2, padding: .symmetric(1, 1), ceilMode: true)
            ).outputHeight == 3)
        #expect(
            try PoolingShape(
                batch: 1, inputHeight: 6, inputWidth: 6, channels: 1,
                descriptor: PoolingDescriptor(window: 3, stride: 2, padding: .symmetric(1, 1), ceilMode: true)
            ).outputHeight == 4)
        let one = try PoolingShape(batch: 2, inputHeight: 3, inputWidth: 3, channels: 2, descriptor: PoolingDescriptor(window: 1))
        #expect(one.outputHeight == 3 && one.outputWidth == 3)
        let whole = try PoolingShape(
            batch: 2, inputHeight: 3, inputWidth: 4, channels: 2,
            descriptor: PoolingDescriptor(windowHeight: 3, windowWidth: 4))
        #expect(whole.outputHeight == 1 && whole.outputWidth == 1)
        #expect(throws: ConvKitError.self) { try PoolingDescriptor(window: 0) }
        #expect(throws: ConvKitError.self) {
            try PoolingShape(batch: 1, inputHeight: 2, inputWidth: 2, channels: 1, descriptor: PoolingDescriptor(window: 3))
        }
        #expect(throws: ConvKitError.self) {  // a window entirely in the padding
            try PoolingShape(
                batch: 1, inputHeight: 2, inputWidth: 2, channels: 1,
                descriptor: PoolingDescriptor(window: 2, stride: 1, padding: .symmetric(2, 2)))
        }
        let s = try PoolingShape(batch: 1, inputHeight: 4, inputWidth: 4, channels: 1, descriptor: PoolingDescriptor(window: 2))
        var y = [Float](repeating: 0, count: 4)
        var none: [Int32]? = nil
        #expect(throws: ConvKitError.self) { try MaxPooling(shape: s).forward(input: [1, 2, 3], output: &y, indices: &none) }
        var dx = [Float](repeating: 0, count: 16)
        #expect(throws: ConvKitError.self) { try MaxPooling(shape: s).backward(outputGradient: y, indices: [0, 1, 2, 99], inputGradient: &dx) }
        #expect(throws: ConvKitError.self) { try AveragePooling(shape: s).backward(outputGradient: [1], inputGradient: &dx) }
    }

    @Test("global average pooling is the whole-image average pool")
    func globalAverage() throws {
        let s = try PoolingShape(batch: 3, inputHeight: 5, inputWidth: 6, channels: 7, descriptor: PoolingDescriptor(windowHeight: 5, windowWidth: 6))
        let x = convolutionData(count: s.inputCount, integers: false, seed: 9)
        var expected = [Float](repeating: 0, count: s.outputCount)
        try AveragePooling(shape: s).forward(input: x, output: &expected)
        var y = [Float](repeating: 0, count: 21)
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                try GlobalAveragePooling.forward(input: xb, batch: 3, height: 5, width: 6, channels: 7, output: yb)
            }
        }
        #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        var dx = [Float](repeating: 0, count: s.inputCount)
        var edx = dx
        try AveragePooling(shape: s).backward(outputGradient: y, inputGradient: &edx)
        try y.withUnsafeBufferPointer { g in
            try dx.withUnsafeMutableBufferPointer { d in
                try GlobalAveragePooling.backward(outputGradient: g, batch: 3, height: 5, width: 6, channels: 7, inputGradient: d)
            }
        }
        #expect(zip(dx, edx).allSatisfy { abs($0 - $1) < 1e-7 })
    }

    @Test("describe names the table's pooling kernel; a small pass runs on one thread, a large one on the budget")
    func describePooling() throws {
        for isa in ISA.supported {
            let context = try ExecutionContext(threads: 2, isa: isa)
            let small = try MaxPooling(
                shape: PoolingShape(
                    batch: 1, inputHeight: 30, inputWidth: 30, channels: 32,
                    descriptor: PoolingDescriptor(window: 2)), context: context
            ).describe()
            #expect(small.contains("ck_f32_maxpool_nhwc__\(context.kernels.isa.rawValue)") && small.contains(", 1 thread "), "\(small)")
            let large = try AveragePooling(
                shape: PoolingShape(
                    batch: 64, inputHeight: 30, inputWidth: 30, channels: 32,
                    descriptor: PoolingDescriptor(window: 2)), context: context
            ).describe()
            #expect(large.contains("ck_f32_avgpool_nhwc__") && large.contains(", 2 threads "), "\(large)")
        }
    }
}
