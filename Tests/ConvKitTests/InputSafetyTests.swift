import ConvKit
import Foundation
import Synchronization
import Testing

/// Inputs that would trap or give garbage inside a kernel are refused up front with a
/// ``ConvKitError`` that names the argument: sizes whose products overflow, outputs that alias
/// inputs, and a workspace shared by two calls at once.
@Suite("Input safety")
struct InputSafetyTests {
    static func name(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let ConvKitError.invalidArgument(name, _) { return name } catch let error as ConvKitError {
            return "\(error)"
        } catch { return "\(error)" }
    }

    @Test("convolution shapes: huge sizes, padding, kernel x dilation and element counts throw instead of overflowing")
    func convolutionOverflow() throws {
        let big = Int.max / 2
        #expect(Self.name { _ = try ConvolutionDescriptor(kernel: 3, dilation: big) } == "dilationY")
        #expect(Self.name { _ = try ConvolutionDescriptor(kernelHeight: 1 << 20, kernelWidth: 1, dilationY: 1 << 20) } == "dilationY")
        #expect(Self.name { _ = try ConvolutionDescriptor(kernel: 3, padding: .symmetric(Int.max, 0)) } == "padding")
        #expect(
            Self.name {
                _ = try ConvolutionShape(
                    batch: 1, inputHeight: Int.max, inputWidth: 4, inputChannels: 1, outputChannels: 1,
                    descriptor: ConvolutionDescriptor(kernel: 1))
            } == "inputHeight")
        // Each size is allowed, their product is not.
        let m = ConvKitError.maximumExtent
        #expect(
            Self.name {
                _ = try ConvolutionShape(
                    batch: m, inputHeight: m, inputWidth: m, inputChannels: 1, outputChannels: 1,
                    descriptor: ConvolutionDescriptor(kernel: 1))
            } == "inputChannels")
        #expect(
            Self.name {
                _ = try ConvolutionShape(
                    batch: 1, inputHeight: 1, inputWidth: 1, inputChannels: m, outputChannels: m,
                    descriptor: ConvolutionDescriptor(kernel: 1 << 16))
            } != nil)
        let fine = try ConvolutionShape(
            batch: 1 << 20, inputHeight: 1 << 12, inputWidth: 1 << 12, inputChannels: 64, outputChannels: 64,
            descriptor: ConvolutionDescriptor(kernel: 3, padding: .same))
        #expect(fine.inputCount == (1 << 50) && fine.flops > 0)
    }

    @Test("pooling shapes, matrices, workspaces and CONVKIT_SPIN_US: sizes that overflow throw")
    func otherOverflows() throws {
        let m = ConvKitError.maximumExtent
        #expect(
            Self.name {
                _ = try PoolingShape(batch: m, inputHeight: m, inputWidth: m, channels: m, descriptor: PoolingDescriptor(window: 2))
            } == "channels")
        #expect(Self.name { _ = try PoolingDescriptor(window: Int.max) } == "windowHeight")
        #expect(Self.name { _ = try Matrix(rows: Int.max, columns: Int.max) } == "rows")
        #expect(Self.name { _ = try Matrix(rows: 1, columns: Int.max) } == "rows")
        #expect(Self.name { _ = try Matrix(rows: Int.max / 8, columns: 16) } == "rows")
        #expect(Self.name { _ = try Workspace(capacity: Int.max / 2) } == "capacity")
        #expect(Self.name { _ = try Workspace(capacity: -1) } == "capacity")
        #expect(throws: ConvKitError.self) { try ParallelRuntime(environment: ["CONVKIT_SPIN_US": "\(Int.max)"]) }
        #expect(throws: ConvKitError.self) { try ExecutionContext(environment: ["CONVKIT_SPIN_US": "18446744073709552"]) }
        _ = ParallelRuntime.spinningDispatch(spinMicroseconds: Int.max)  // clamped, no trap
    }

    @Test("an output that overlaps an input is refused (convolution, pooling, GEMM), naming both")
    func aliasing() throws {
        let shape = try ConvolutionShape(
            batch: 1, inputHeight: 4, inputWidth: 4, inputChannels: 2, outputChannels: 2,
            descriptor: ConvolutionDescriptor(kernel: 1))
        let conv = try Convolution(shape: shape, algorithm: .direct)
        let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: 64)
        b.initialize(repeating: 1)
        let wm = UnsafeMutableBufferPointer<Float>.allocate(capacity: shape.weightCount)
        wm.initialize(repeating: 0.5)
        defer {
            b.deallocate()
            wm.deallocate()
        }
        let w = UnsafeBufferPointer(wm)
        do {
            let x = UnsafeBufferPointer(rebasing: b[0..<32])
            do {
                try conv.forward(input: x, weights: w, output: UnsafeMutableBufferPointer(rebasing: b[16..<48]))
                Issue.record("an overlapping output was accepted")
            } catch let ConvKitError.invalidArgument(name, message) {
                #expect(name == "output" && message.contains("input"))
            }
            #expect(
                Self.name {
                    try conv.backwardData(outputGradient: x, weights: w, inputGradient: UnsafeMutableBufferPointer(rebasing: b[0..<32]))
                } == "inputGradient")
            #expect(Self.name { try conv.backwardWeights(input: x, outputGradient: x, weightGradient: wm, biasGradient: nil) } == nil)
            #expect(
                Self.name {
                    try conv.backwardWeights(
                        input: x, outputGradient: UnsafeBufferPointer(rebasing: b[32..<64]),
                        weightGradient: UnsafeMutableBufferPointer(rebasing: b[60..<64]), biasGradient: nil)
                } == "weightGradient")
            // Disjoint halves of one allocation are fine.
            try conv.forward(input: x, weights: w, output: UnsafeMutableBufferPointer(rebasing: b[32..<64]))
            let pool = try MaxPooling(shape: PoolingShape(batch: 1, inputHeight: 4, inputWidth: 4, channels: 2, descriptor: PoolingDescriptor(window: 2)))
            #expect(Self.name { try pool.forward(input: x, output: UnsafeMutableBufferPointer(rebasing: b[24..<32]), indices: nil) } == "output")
            let avg = try AveragePooling(shape: pool.shape)
            #expect(
                Self.name {
                    try avg.backward(outputGradient: UnsafeBufferPointer(rebasing: b[0..<8]), inputGradient: UnsafeMutableBufferPointer(rebasing: b[0..<32]))
                } == "inputGradient")
            #expect(
                Self.name {
                    try GlobalAveragePooling.forward(
                        input: x, batch: 1, height: 4, width: 4, channels: 2, output: UnsafeMutableBufferPointer(rebasing: b[30..<32]))
                } == "output")
            let base = b.baseAddress!
            #expect(
                Self.name {
                    try GEMM.sgemm(
                        .noTranspose, .noTranspose, m: 4, n: 4, k: 4, alpha: 1, a: base, lda: 4, b: base + 16, ldb: 4,
                        beta: 0, c: base + 8, ldc: 4)
                } == "c")
            // C beside A and B, and A == B (both only read): accepted.
            try GEMM.sgemm(
                .noTranspose, .noTranspose, m: 4, n: 4, k: 4, alpha: 1, a: base, lda: 4, b: base, ldb: 4,
                beta: 0, c: base + 16, ldc: 4)
        }
    }

    @Test("a workspace used by a second call while a first one holds it throws instead of sharing scratch memory")
    func workspaceInUse() throws {
        let shape = try ConvolutionShape(
            batch: 8, inputHeight: 32, inputWidth: 32, inputChannels: 16, outputChannels: 32,
            descriptor: ConvolutionDescriptor(kernel: 3, padding: .same))
        let conv = try Convolution(shape: shape, algorithm: .direct, context: ExecutionContext(threads: 2))
        let x = [Float](repeating: 0.25, count: shape.inputCount), w = [Float](repeating: 0.5, count: shape.weightCount)
        let shared = Workspace()
        // A runtime that, in the first region started by this test's thread, runs a second call on
        // the workspace the first call holds, then runs the region as usual.
        let armed = Mutex<pthread_t?>(pthread_self())
        let nested = Mutex<String?>(nil)
        let previous = Parallel.runtime
        let box = UncheckedBox((conv, x, w, shared))
        Parallel.runtime = ParallelRuntime(name: "nested-call probe") { workers, work in
            let mine = armed.withLock { t -> Bool in
                guard let thread = t, pthread_equal(thread, pthread_self()) != 0 else { return false }
                t = nil
                return true
            }
            if mine {
                let (conv, x, w, shared) = box.value
                var y = [Float](repeating: 0, count: conv.shape.outputCount)
                nested.withLock { $0 = InputSafetyTests.name { try conv.forward(input: x, weights: w, output: &y, workspace: shared) } ?? "accepted" }
            }
            previous.runWorkers(workers, work)
        }
        defer { Parallel.runtime = previous }
        var y = [Float](repeating: 0, count: shape.outputCount)
        try conv.forward(input: x, weights: w, output: &y, workspace: shared)
        #expect(nested.withLock { $0 } == "workspace", "the nested call on a busy workspace: \(nested.withLock { $0 } ?? "never ran")")
        // Released afterwards: the next call on it works.
        try conv.forward(input: x, weights: w, output: &y, workspace: shared)
    }

    @Test("ceil mode accepts a last window that ends up to one stride beyond the padded input, as PyTorch does (max and average)")
    func ceilModeBeyondInput() throws {
        // n1 h1 w3 c20, window 2x2, stride 2, ceil mode: PyTorch gives a 1 x 2 output.
        let shape = try PoolingShape(
            batch: 1, inputHeight: 1, inputWidth: 3, channels: 20,
            descriptor: PoolingDescriptor(window: 2, ceilMode: true))
        #expect(shape.outputHeight == 1 && shape.outputWidth == 2)
        let x: [Float] = (0..<60).map { (i: Int) -> Float in Float((i * 37) % 23) - 11 }
        for isa in ISA.supported {
            let context = try ExecutionContext(threads: 1, isa: isa)
            var y = [Float](repeating: 0, count: 40)
            var indices: [Int32]? = [Int32](repeating: 0, count: 40)
            try MaxPooling(shape: shape, context: context).forward(input: x, output: &y, indices: &indices)
            var expectedMax = [Float](repeating: 0, count: 40)
            for c in 0..<20 {
                expectedMax[c] = max(x[c], x[20 + c])
                expectedMax[20 + c] = x[40 + c]
            }
            #expect(y == expectedMax, "max, \(isa)")
            try AveragePooling(shape: shape, context: context).forward(input: x, output: &y)
            // PyTorch's divisor with count_include_pad: the window clipped to the padded input (1 x 2, then 1 x 1).
            var expectedMean = [Float](repeating: 0, count: 40)
            for c in 0..<20 {
                expectedMean[c] = (x[c] + x[20 + c]) / 2
                expectedMean[20 + c] = x[40 + c]
            }
            #expect(y == expectedMean, "average, \(isa)")
        }
        // Two strides beyond is still an empty output.
        #expect(throws: ConvKitError.self) {
            _ = try PoolingShape(batch: 1, inputHeight: 1, inputWidth: 3, channels: 1, descriptor: PoolingDescriptor(window: 3, stride: 1, ceilMode: true))
        }
        #expect(throws: ConvKitError.self) {
            _ = try PoolingShape(batch: 1, inputHeight: 1, inputWidth: 3, channels: 1, descriptor: PoolingDescriptor(window: 2, ceilMode: false))
        }
    }
}

/// Carries non-Sendable values into a `@Sendable` closure of a test.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
